/**
 * Test page for the compare viewer alone (test/e2e/compare-viewer.test.ts): mounts the app's own
 * CompareViewer with the app's styles and two images the test injects before the page loads.
 */
import { mount } from 'svelte';
import CompareViewer from '../../../src/renderer/src/components/CompareViewer.svelte';
import '../../../src/renderer/src/styles.css';

declare global {
  interface Window {
    __viewerImages?: { before: string; after: string };
  }
}

const images = window.__viewerImages;
if (!images) throw new Error('viewer test page: window.__viewerImages was not injected');
mount(CompareViewer, { target: document.getElementById('app')!, props: { ...images, beforeLabel: 'Blurred', afterLabel: 'Deblurred' } });
