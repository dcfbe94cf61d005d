import '../../src/ui/styles/sidepanel.css';
import '../../src/ui/sidepanel/sidepanel-layout.css';
import { createBrowserEnv } from '../../src/ui/create-browser-env';
import { mountPage } from '../../src/ui/mount-page';
import { SidepanelApp } from '../../src/ui/sidepanel/sidepanel-app';

mountPage(<SidepanelApp />, document.getElementById('app')!, createBrowserEnv(), 'sidepanelTitle');
