import { extensionApi } from '../../src/ui/extension-api';
import { readPopupFrame, readPopupView } from '../../src/ui/popup/read-popup-view';

/**
 * The stored first frame and view, asked for before anything else of the popup is evaluated: main.ts
 * imports this module first, so both storage reads are under way while the rest is set up
 * (docs/performance.md).
 */
export const api = extensionApi();
export const early = { frame: readPopupFrame(api.storage), stored: readPopupView(api.storage) };
