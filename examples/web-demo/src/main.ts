import './styles.css';
import { startApp } from './app.js';
import { byId } from './dom.js';
import { startEngine } from './recognizer.js';

const status = byId('status', HTMLParagraphElement);
const app = byId('app', HTMLElement);

try {
  await startApp(await startEngine());
  status.textContent = 'Ready. Draw a digit.';
  status.hidden = true;
  app.setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
} catch (error) {
  status.textContent = `The recogniser could not start: ${error instanceof Error ? error.message : String(error)}`;
  status.dataset.kind = 'error';
  document.body.dataset.ready = 'failed';
  throw error;
}
