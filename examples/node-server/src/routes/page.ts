import type { FastifyInstance } from 'fastify';

/**
 * The drawing page: a canvas drawn on with pointer events (mouse, touch, pen), and the API
 * calls behind Predict, Correct and Retrain. Inline and dependency-free, so the server has no
 * static files to serve.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crazy-digits</title>
<style>
  body { font: 16px system-ui, sans-serif; max-width: 34rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  canvas { border: 1px solid #999; border-radius: 6px; touch-action: none; background: #fff; width: 280px; height: 280px; }
  .row { display: flex; gap: .5rem; align-items: center; margin: .6rem 0; flex-wrap: wrap; }
  #answer { font-size: 2.5rem; font-weight: 600; min-height: 3rem; }
  #status { color: #555; min-height: 1.4rem; }
  input[type=number] { width: 3.5rem; }
</style>
</head>
<body>
<h1>crazy-digits</h1>
<p>Draw a digit, ask what it is, and correct it when it is wrong: the correction counts at once.
Correcting and retraining need an API key (<code>npm run keys -w examples/node-server -- add &lt;user&gt;</code>);
they change that user's model only.</p>
<canvas id="pad" width="280" height="280"></canvas>
<div class="row">
  <button id="predict">Predict</button>
  <button id="clear">Clear</button>
  <label>API key <input id="key" type="password" placeholder="(none: global model)" size="16" autocomplete="off"></label>
</div>
<div id="answer"></div>
<div class="row">
  <label>It is a <input id="label" type="number" min="0" max="9"></label>
  <button id="correct">Correct</button>
  <button id="retrain">Retrain</button>
</div>
<div id="status"></div>
<p><a href="/docs">API documentation</a></p>
<script type="module">
const pad = document.getElementById('pad');
const ctx = pad.getContext('2d');
const $ = (id) => document.getElementById(id);
const key = $('key');
key.value = sessionStorage.getItem('crazy-digits-key') ?? '';
key.addEventListener('change', () => sessionStorage.setItem('crazy-digits-key', key.value.trim()));
function clear() {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, pad.width, pad.height);
  $('answer').textContent = '';
}
clear();
ctx.lineWidth = 18; ctx.lineCap = 'round'; ctx.lineJoin = 'round'; ctx.strokeStyle = '#000';
let last;
const point = (event) => {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) * pad.width / box.width, (event.clientY - box.top) * pad.height / box.height];
};
pad.addEventListener('pointerdown', (event) => { pad.setPointerCapture(event.pointerId); last = point(event); });
pad.addEventListener('pointermove', (event) => {
  if (!last) return;
  const next = point(event);
  ctx.beginPath(); ctx.moveTo(...last); ctx.lineTo(...next); ctx.stroke();
  last = next;
});
for (const type of ['pointerup', 'pointercancel']) pad.addEventListener(type, () => { last = undefined; });
async function call(method, path, body) {
  const headers = method === 'GET' ? {} : { 'content-type': 'application/json' };
  if (key.value.trim()) headers.authorization = 'Bearer ' + key.value.trim();
  const response = await fetch(path, { method, headers, body: body && JSON.stringify(body) });
  const data = response.status === 204 ? {} : await response.json();
  if (!response.ok) throw new Error(data.error ? data.error.code + ': ' + data.error.message : response.statusText);
  return data;
}
const status = (text) => { $('status').textContent = text; };
const image = () => pad.toDataURL('image/png');
$('clear').onclick = clear;
$('predict').onclick = async () => {
  try {
    const p = await call('POST', '/api/predict', { image: image() });
    $('answer').textContent = p.uncertain ? 'not sure (' + p.digit + '?)' : String(p.digit);
    $('label').value = p.digit;
    status('confidence ' + (100 * p.confidence).toFixed(1) + '%, model ' + p.modelVersion);
  } catch (error) { status(error.message); }
};
$('correct').onclick = async () => {
  try {
    const { id } = await call('POST', '/api/corrections', { image: image(), label: Number($('label').value) });
    status('stored correction ' + id);
  } catch (error) { status(error.message); }
};
$('retrain').onclick = async () => {
  try {
    const { jobId } = await call('POST', '/api/retrain');
    for (;;) {
      const job = await call('GET', '/api/retrain/' + jobId);
      const done = job.state === 'succeeded' || job.state === 'failed';
      status('retrain ' + job.state + (job.progress ? ' ' + Math.round(job.progress.fraction * 100) + '%' : '') +
        (job.verdict ? (job.verdict.accepted ? ': accepted, now serving ' + job.version : ': rejected, ' + job.verdict.reason) : '') +
        (job.error ? ': ' + job.error.message : ''));
      if (done) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) { status(error.message); }
};
</script>
</body>
</html>
`;

export function pageRoutes(app: FastifyInstance): void {
  app.get(
    '/',
    {
      schema: {
        summary: 'The drawing page',
        tags: ['page'],
        produces: ['text/html'],
        response: { 200: { type: 'string', description: 'HTML' } },
      },
    },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE),
  );
}
