import { z } from 'zod';
import { isFrameTree, type FrameNode } from './frame-tree';
import { glanceSchema } from './glance';
import { POPUP_VIEW_VERSION } from './popup-view-keys';
import { settingsSchema } from './settings';

/**
 * What the popup needs to paint readings in its first frame, derived and token-free: the glance and
 * the display settings it is rendered with. The background writes it (POPUP_VIEW_KEYS); the popup
 * imports only the type, so no zod reaches its first-paint code, and checks `v` itself.
 */
/**
 * The popup's first frame, rendered by the background from a view with the popup's own
 * components (src/ui/popup/render-stored-popup.tsx), kept beside that view under its own key
 * (POPUP_FRAME_KEYS) so the popup's first read is small, and what the rendering holds for: the local
 * day it was rendered on ("Today", "Yesterday" and times of day are relative to it) and the browser's
 * language. The popup paints it only when both still match; otherwise it renders the view itself.
 * Nothing in it moves with the clock within a day: "checked n minutes ago" is left empty, for the
 * interactive popup to fill a frame later.
 */
export const popupFrameSchema = z.object({
  v: z.literal(POPUP_VIEW_VERSION),
  /** Which rendering this is (the area it was rendered for, and when): equal keys, equal frames. */
  key: z.string(),
  /** The markup as data (src/shared/frame-tree.ts): built into DOM node by node where the browser has no setHTML. */
  tree: z.custom<FrameNode[]>(isFrameTree, 'not a frame tree'),
  /**
   * The same markup as the HTML it was read from (the tree is the strict reading of it), for browsers
   * with the Sanitizer API: the popup inserts it with the safe `setHTML` (FRAME_SANITIZER), one
   * native parse instead of a createElement per node. Frames written before it existed have none.
   */
  html: z.string().optional(),
  /** Local ISO date (YYYY-MM-DD) the frame was rendered on. */
  date: z.string(),
  /** `navigator.language` at rendering: a frame in another language is not painted. */
  language: z.string(),
  /** The page's `lang` and title in the messages' language, set with the frame (no i18n call before it). */
  lang: z.string(),
  title: z.string(),
});
export type PopupFrame = z.infer<typeof popupFrameSchema>;

export const popupViewSchema = z.object({
  v: z.literal(POPUP_VIEW_VERSION),
  glance: glanceSchema,
  units: settingsSchema.shape.units,
  temperature: settingsSchema.shape.temperature,
  /** Tile/metric ids the member chose to hide. */
  hidden: settingsSchema.shape.hiddenTiles,
  /** Epoch ms when the background wrote this view. */
  savedAt: z.number(),
});
export type PopupView = z.infer<typeof popupViewSchema>;
