// The pool's entry: the server runs from TypeScript sources, so tsx is registered in each pool
// thread before the worker module loads (Node 20 does not apply `--import tsx` to a worker's entry).
import { register } from 'tsx/esm/api';

register();
const worker = await import('./worker.ts');

export default worker.default;
