import '../../src/ui/styles/options.css';
import { createBrowserEnv } from '../../src/ui/create-browser-env';
import { mountPage } from '../../src/ui/mount-page';
import { OptionsApp } from '../../src/ui/options/options-app';

mountPage(<OptionsApp />, document.getElementById('app')!, createBrowserEnv(), 'optionsTitle');
