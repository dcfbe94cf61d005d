import '../../src/ui/styles/popup.css';
import { createBrowserEnv } from '../../src/ui/create-browser-env';
import { mountPage } from '../../src/ui/mount-page';
import { PopupApp } from '../../src/ui/popup/popup-app';

mountPage(<PopupApp />, document.getElementById('app')!, createBrowserEnv(), 'extName');
