import '../../src/ui/styles/popup.css';
import { extensionApi } from '../../src/ui/extension-api';
import { startPopup } from '../../src/ui/popup/start-popup';

// The first frame paints what the background rendered; the rest of the popup arrives as its own chunk after it.
void startPopup(document.getElementById('app')!, {
  api: extensionApi,
  loadApp: () => import('../../src/ui/popup/mount-popup-app').then((module) => module.mountPopupApp),
});
