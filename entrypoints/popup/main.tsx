import '../../src/ui/styles/popup.css';
import { createBrowserClient, createBrowserEnv } from '../../src/ui/create-browser-env';
import { mountPage } from '../../src/ui/mount-page';
import { PopupApp } from '../../src/ui/popup/popup-app';

// The status is asked for before anything else is set up: its answer is most of the time to readings.
const client = createBrowserClient();
const firstStatus = client.getStatus();
// The messaging library posts the request one microtask after send() returns; queue the page's own
// set-up behind it, or the request would wait for the whole first render.
queueMicrotask(() =>
  mountPage(<PopupApp firstStatus={firstStatus} />, document.getElementById('app')!, createBrowserEnv(client), 'extName'),
);
