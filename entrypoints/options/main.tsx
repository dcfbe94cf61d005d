import '../../src/ui/styles/options.css';
import { createBrowserClient } from '../../src/ui/create-browser-client';
import { createPageEnv } from '../../src/ui/create-page-env';
import { extensionApi } from '../../src/ui/extension-api';
import { mountPage } from '../../src/ui/mount-page';
import { OptionsApp } from '../../src/ui/options/options-app';

mountPage(<OptionsApp />, document.getElementById('app')!, { ...createPageEnv(extensionApi()), client: createBrowserClient() }, 'optionsTitle');
