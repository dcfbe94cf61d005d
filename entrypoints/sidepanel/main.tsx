import '../../src/ui/styles/sidepanel.css';
import '../../src/ui/sidepanel/sidepanel-layout.css';
import { createBrowserClient } from '../../src/ui/create-browser-client';
import { createPageEnv } from '../../src/ui/create-page-env';
import { extensionApi } from '../../src/ui/extension-api';
import { mountPage } from '../../src/ui/mount-page';
import { SidepanelApp } from '../../src/ui/sidepanel/sidepanel-app';

mountPage(<SidepanelApp />, document.getElementById('app')!, { ...createPageEnv(extensionApi()), client: createBrowserClient() }, 'sidepanelTitle');
