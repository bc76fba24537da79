// First: configures zod before the contract's schemas are built (see the module).
import './lib/zod-jitless';
import { mount } from 'svelte';
import App from './App.svelte';
import './styles.css';

mount(App, { target: document.getElementById('app')! });
