/** The few browser features a page uses beyond messaging, injectable for tests. */
export interface Platform {
  /** Opens the side panel (Chrome) or sidebar (Firefox); null when the browser has neither. */
  openSidePanel: (() => Promise<void>) | null;
  openOptionsPage(): Promise<void>;
}

/** The slice of the (polyfilled) browser API createPlatform needs. */
export interface PlatformApi {
  runtime: { openOptionsPage(): Promise<void> };
  windows?: { getCurrent(): Promise<{ id?: number }> };
  sidePanel?: { open(options: { windowId: number }): Promise<void> };
  sidebarAction?: { open(): Promise<void> };
}

/**
 * Both side panel APIs accept only a user gesture, so `openSidePanel` must be called directly from a
 * click handler. Chrome's needs a window id: it is looked up once up front, so the click can call
 * `sidePanel.open` synchronously instead of after an await that may outlive the gesture.
 */
export function createPlatform(api: PlatformApi): Platform {
  const { sidePanel, sidebarAction, windows } = api;
  let windowId: number | undefined;
  if (sidePanel && windows) {
    windows.getCurrent().then(
      (current) => (windowId = current.id),
      () => undefined,
    );
  }
  let openSidePanel: Platform['openSidePanel'] = null;
  if (sidebarAction?.open) {
    openSidePanel = () => sidebarAction.open();
  } else if (sidePanel?.open && windows) {
    openSidePanel = async () => {
      const id = windowId ?? (await windows.getCurrent()).id;
      if (id !== undefined) await sidePanel.open({ windowId: id });
    };
  }
  return { openSidePanel, openOptionsPage: () => api.runtime.openOptionsPage() };
}
