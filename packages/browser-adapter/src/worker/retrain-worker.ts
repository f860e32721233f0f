/**
 * Entry of the retrain Web Worker that `createWorkerRetrainer` starts: serves retrain requests
 * on the worker's own scope. It does nothing useful outside a worker.
 *
 * It imports this package by its name, not by a relative path: Vite's dev server pre-bundles the
 * package (the page imports it) but serves this file raw from `node_modules`, and a relative import
 * would load core and tfjs raw too, which breaks on tfjs's CommonJS files. By name, the worker
 * runs the same pre-bundled modules as the page. Bundlers resolve the name to the same files.
 */
import { serveRetrainRequests } from '@crazy-digits/browser-adapter';

serveRetrainRequests(self);
