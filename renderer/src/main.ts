/** The renderer's entry: styles, then the app shell. */
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element.');
mount(App, { target });
