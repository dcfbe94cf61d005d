// First: starts the storage reads before the rest of the popup's code is evaluated.
import { api, early } from './early-read';
import '../../src/ui/styles/popup.css';
import { startPopup } from '../../src/ui/popup/start-popup';

// The first frame paints what the background rendered; the rest of the popup arrives as its own chunk after it.
void startPopup(document.getElementById('app')!, {
  api,
  early,
  loadApp: () => import('../../src/ui/popup/mount-popup-app').then((module) => module.mountPopupApp),
});
