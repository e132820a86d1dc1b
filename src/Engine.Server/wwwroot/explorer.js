// The explorer shows only what the engine's JSON API returns; it computes nothing about the loss surface itself. The
// few sums it does (a witness's predictions, which side of a hinge a pixel lies on) only draw what the API sent.
const $ = id => document.getElementById(id);
const FINAL = new Set(['done', 'failed', 'cancelled']);
const MAX_LEVELS = 40;    // beyond this many loss levels the histogram falls back to the run's bins
const MARKER_ROWS = 4;    // rows of marker labels above Figure 3: its height stays bounded whatever the data
const PAGE = 100;         // rows of the minima table per page, read from the API
const BUILT_IN = ['paper-fig3', 'paper-fig2', 'paper-fig1'];

const data = { points: [], targets: [], inputs: 2, name: 'custom' };
let active = [];          // the runs being followed: Cancel and the progress line work on these
let shown = null;         // what the panels show: the enumeration's id, its settings and its data
let witness = null;       // the witness network last opened: its hinges are drawn on the data
const table = { offset: 0, sort: 'row', from: null, to: null };

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error ?? `${path}: HTTP ${response.status}`);
  return body;
}

const say = text => { $('message').textContent = text; };

// Losses span many orders of magnitude (exact zeros beside 1e-9 residues), so keep four significant digits.
function fmt(v) {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return v === 0 || Math.abs(v) >= 1e-3 ? String(+v.toPrecision(4)) : v.toExponential(2);
}

// Counts with thousands separators; the API sends counts beyond 2^53 (2^(N·h) patterns) as decimal strings.
const count = v => typeof v === 'number' ? v.toLocaleString('en-US') : String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

const esc = s => String(s).replace(/[&<>"]/g, ch => `&#${ch.charCodeAt(0)};`);

function el(tag, { dataset = {}, ...props } = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
}

function fillTable(tableElement, header, rows) {
  tableElement.replaceChildren(el('thead', {}, el('tr', {}, ...header.map(h => h instanceof Node ? h : el('th', { textContent: h })))), el('tbody', {}, ...rows));
}

const row = (cells, props = {}) => el('tr', props, ...cells.map(c => c instanceof Node ? c : el('td', { textContent: c })));

// A typed number is a decimal in the usual notation and finite: '1,5', 'abc' and '2e400' are refused, never rounded.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
function parseNumber(text) {
  const t = String(text).trim();
  const v = NUMBER.test(t) ? Number(t) : NaN;
  return Number.isFinite(v) ? v : null;
}

function niceStep(span, ticks = 4) {
  const raw = Math.max(span, 1e-12) / ticks, power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map(m => m * power).find(step => step >= raw);
}

// ---- data ---------------------------------------------------------------------------------------------------------

// The data canvas spans [-range, range]² with range the data's extent rounded up (at least 4), so no point falls off
// it; 1-D data is drawn as x against its target.
const VIEW = 340, MARGIN = 22;
const planar = i => data.inputs === 1 ? [data.points[i][0], data.targets[i]] : [data.points[i][0], data.points[i][1] ?? 0];
function viewRange() {
  const extent = Math.max(4, ...data.points.flatMap((p, i) => data.inputs === 1 ? [Math.abs(p[0]), Math.abs(data.targets[i])] : p.slice(0, 2).map(Math.abs)));
  const step = niceStep(extent);
  return Math.ceil(extent / step) * step;
}
function toPx([x, y], range) {
  const scale = (VIEW - 2 * MARGIN) / (2 * range);
  return [MARGIN + (x + range) * scale, MARGIN + (range - y) * scale];
}

// Snapping to a hundredth of the view keeps hand-placed data readable in the table and in the request.
function fromEvent(event) {
  const box = $('points').getBoundingClientRect(), range = viewRange(), scale = (VIEW - 2 * MARGIN) / (2 * range);
  const unit = niceStep(range, 50), snap = v => Math.round(Math.max(-range, Math.min(range, v)) / unit) * unit;
  const x = snap(((event.clientX - box.left) / box.width * VIEW - MARGIN) / scale - range);
  const y = snap(range - ((event.clientY - box.top) / box.height * VIEW - MARGIN) / scale);
  return [+x.toPrecision(6), +y.toPrecision(6)];
}

// Targets on a diverging scale (blue low, red high), so that the data's shape reads at a glance.
function targetColour(t, low, high) {
  const f = high > low ? (t - low) / (high - low) : 0.5, mix = (a, b, u) => Math.round(a + (b - a) * u);
  return f < 0.5 ? `rgb(${mix(47, 245, f * 2)},${mix(95, 245, f * 2)},${mix(179, 245, f * 2)})`
    : `rgb(${mix(245, 209, f * 2 - 1)},${mix(245, 73, f * 2 - 1)},${mix(245, 91, f * 2 - 1)})`;
}

// A line a·x + b·y + c = 0 across the whole view (the SVG clips it to its box).
function fullLine(a, b, c, range, cls) {
  const far = 4 * range;
  const ends = Math.abs(b) >= Math.abs(a) ? [[-far, -(c - a * far) / b], [far, -(c + a * far) / b]] : [[-(c - b * far) / a, -far], [-(c + b * far) / a, far]];
  const [[x1, y1], [x2, y2]] = ends.map(p => toPx(p, range));
  return `<line class="${cls}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/>`;
}

// Lines through the whole plane are cut at the plot's edge, clear of the tick labels.
const PLOT_CLIP = `<defs><clipPath id="plot-area"><rect x="${MARGIN}" y="${MARGIN}" width="${VIEW - 2 * MARGIN}" height="${VIEW - 2 * MARGIN}"/></clipPath></defs>`;

function drawPoints() {
  const range = viewRange(), step = niceStep(range), low = Math.min(...data.targets), high = Math.max(...data.targets);
  let s = PLOT_CLIP;
  for (let t = -range; t <= range + 1e-9; t += step) {
    const [p] = toPx([t, 0], range), [, q] = toPx([0, t], range), cls = Math.abs(t) < 1e-9 ? 'axis' : 'grid', label = +t.toPrecision(6);
    s += `<line class="${cls}" x1="${p}" x2="${p}" y1="${MARGIN}" y2="${VIEW - MARGIN}"/><line class="${cls}" x1="${MARGIN}" x2="${VIEW - MARGIN}" y1="${q}" y2="${q}"/>`;
    s += `<text class="tick" x="${p}" y="${VIEW - 6}" text-anchor="middle">${label}</text><text class="tick" x="${MARGIN - 3}" y="${q + 4}" text-anchor="end">${label}</text>`;
  }
  // The hinges of the witness last opened: where each hidden node switches, w_j·x + b_j = 0.
  if (witness && data.inputs <= 2 && shown?.data.inputs === data.inputs) {
    s += '<g clip-path="url(#plot-area)">';
    witness.W.forEach((w, j) => {
      const b = witness.b?.[j] ?? 0;
      s += data.inputs === 1 ? (w[0] !== 0 ? fullLine(1, 0, b / w[0], range, 'hinge') : '') : fullLine(w[0], w[1], b, range, 'hinge');
    });
    s += '</g>';
  }
  data.points.forEach((_, i) => {
    const [x, y] = toPx(planar(i), range), label = data.points.length <= 30 ? `${i + 1}: y=${esc(fmt(data.targets[i]))}` : '';
    s += `<circle class="point" data-i="${i}" cx="${x}" cy="${y}" r="${data.points.length <= 30 ? 7 : 4}" fill="${targetColour(data.targets[i], low, high)}"><title>point ${i + 1}: target ${esc(fmt(data.targets[i]))}</title></circle>`;
    if (label) s += `<text x="${x + 9}" y="${y - 8}">${label}</text>`;
  });
  const axes = data.inputs === 1 ? 'x (across) against the target (up)' : data.inputs === 2 ? 'x₁ across, x₂ up' : `x₁ across, x₂ up (2 of ${data.inputs} inputs)`;
  $('points').innerHTML = s;
  $('points').setAttribute('aria-label', `${data.points.length} data points, ${axes}`);
  $('points-note').textContent = data.points.length
    ? `${axes}; colour is the target, from ${fmt(low)} (blue) to ${fmt(high)} (red)${witness ? '; dashed: the hinges of the open witness' : ''}`
    : 'no points yet';
}

function drawTable() {
  const names = data.inputs === 1 ? ['x'] : Array.from({ length: data.inputs }, (_, k) => `x${k + 1}`);
  // Shown to six digits; the data keeps every digit until a number is typed over.
  const number = (value, field, i, name) => el('input', { type: 'text', inputMode: 'decimal', value: +value.toPrecision(6), ariaLabel: `point ${i + 1} ${name}`, dataset: { i, field } });
  fillTable($('targets'), ['#', ...names, 'target', ''], data.points.map((p, i) => el('tr', {},
    el('td', { textContent: i + 1 }),
    ...p.map((v, k) => el('td', {}, number(v, k, i, names[k]))),
    el('td', {}, number(data.targets[i], 'target', i, 'target')),
    el('td', {}, el('button', { type: 'button', textContent: '×', title: `remove point ${i + 1}`, ariaLabel: `remove point ${i + 1}`, dataset: { remove: i } })))));
}

// Any edit of a built-in or generated dataset makes it custom: the request then carries the points inline.
function edited() {
  data.name = 'custom';
  $('dataset').value = 'custom';
  $('random-options').hidden = true;
  drawPoints();
  markStale();
}

function useData(doc) {
  data.points = doc.points.map(p => [...p]);
  data.targets = [...doc.targets];
  data.inputs = doc.inputs;
  data.name = doc.name;
  witness = null;
  drawPoints();
  drawTable();
  parameterNames();
  markStale();
}

const randomName = () => `random:${$('random-count').value},${$('random-inputs').value},${$('random-seed').value}`;

// The dataset menu for a dataset name: built-in, generated (with its N, n and seed in the fields) or custom.
function chooseInMenu(name) {
  const random = name.startsWith('random:');
  if (random) [$('random-count').value, $('random-inputs').value, $('random-seed').value] = name.slice('random:'.length).split(',');
  $('dataset').value = random ? 'random' : BUILT_IN.includes(name) ? name : 'custom';
  $('random-options').hidden = !random;
}

async function chooseDataset() {
  const value = $('dataset').value;
  $('random-options').hidden = value !== 'random';
  if (value === 'random') await generate();
  else if (value !== 'custom') useData(await api(`api/datasets/${encodeURIComponent(value)}`));
}

// Random data comes from the engine's own generator (random:N,n,seed), so a run names it and the CLI can repeat it.
async function generate() {
  for (const [id, name] of [['random-count', 'points N'], ['random-inputs', 'inputs n'], ['random-seed', 'seed']]) {
    const input = $(id), v = parseNumber(input.value), high = input.max ? +input.max : Infinity;
    if (v === null || !Number.isInteger(v) || v < +input.min || v > high) {
      return invalidate(input, `${name} must be a whole number from ${input.min}${input.max ? ` to ${input.max}` : ' up'}`);
    }
    valid(input);
  }
  useData(await api(`api/datasets/${encodeURIComponent(randomName())}`));
}

function invalidate(input, text) {
  input.classList.add('invalid');
  input.setAttribute('aria-invalid', 'true');
  input.title = text;
  say(text);
}

function valid(input) {
  if (!input.classList.contains('invalid')) return;
  input.classList.remove('invalid');
  input.removeAttribute('aria-invalid');
  input.title = '';
  if (!document.querySelector('input.invalid')) say('');
}

// CSV as the engine reads it: x1,…,xn,y per line, an optional header first. Every cell must be a number.
function parseCsv(text) {
  const lines = text.split(/\r?\n/).map(l => l.trim()).filter(l => l !== '');
  if (lines.length && lines[0].split(',').some(c => parseNumber(c) === null && /[a-z]/i.test(c))) lines.shift();
  if (!lines.length) throw new Error('CSV: no data lines');
  const rows = lines.map((line, k) => line.split(',').map(cell => {
    const v = parseNumber(cell);
    if (v === null) throw new Error(`CSV line ${k + 1}: '${cell.trim()}' is not a finite number`);
    return v;
  }));
  const width = rows[0].length;
  if (width < 2) throw new Error('CSV: each line needs at least one input and a target');
  const bad = rows.findIndex(r => r.length !== width);
  if (bad >= 0) throw new Error(`CSV line ${bad + 1}: ${rows[bad].length} values where the first line has ${width}`);
  return { name: 'custom', inputs: width - 1, points: rows.map(r => r.slice(0, -1)), targets: rows.map(r => r.at(-1)) };
}

function wireData() {
  const svg = $('points');
  let dragging = null;
  const place = (i, [x, y]) => {
    if (data.inputs === 1) { data.points[i] = [x]; data.targets[i] = y; } else data.points[i] = [x, y, ...data.points[i].slice(2)];
  };
  svg.addEventListener('pointerdown', event => {
    if (event.target.dataset.i !== undefined) dragging = +event.target.dataset.i;
    else {
      data.points.push(Array(data.inputs).fill(0));
      data.targets.push(0);
      dragging = data.points.length - 1;
      place(dragging, fromEvent(event));
      drawTable();
    }
    svg.setPointerCapture(event.pointerId);
    edited();
  });
  svg.addEventListener('pointermove', event => {
    if (dragging === null) return;
    place(dragging, fromEvent(event));
    drawPoints();
  });
  const drop = () => { if (dragging !== null) { dragging = null; drawTable(); drawPoints(); } };
  svg.addEventListener('pointerup', drop);
  svg.addEventListener('pointercancel', drop);

  $('targets').addEventListener('change', event => {
    const input = event.target, { i, field } = input.dataset, value = parseNumber(input.value);
    if (value === null) return invalidate(input, `point ${+i + 1} ${field === 'target' ? 'target' : `x${+field + 1}`}: '${input.value}' is not a finite number`);
    valid(input);
    if (field === 'target') data.targets[i] = value;
    else data.points[i][field] = value;
    edited();
  });
  $('targets').addEventListener('click', event => {
    const i = event.target.dataset.remove;
    if (i === undefined) return;
    data.points.splice(+i, 1);
    data.targets.splice(+i, 1);
    edited();
    drawTable();
  });
  $('add-point').addEventListener('click', () => {
    data.points.push(Array(data.inputs).fill(0));
    data.targets.push(0);
    edited();
    drawTable();
  });
  // Clearing is also the way from other data back to placing points in the plane.
  $('clear-points').addEventListener('click', () => {
    useData({ name: 'custom', inputs: 2, points: [], targets: [] });
    edited();
  });
  $('csv-file').addEventListener('change', async () => { $('csv').value = await $('csv-file').files[0]?.text() ?? ''; });
  $('use-csv').addEventListener('click', () => {
    try {
      useData(parseCsv($('csv').value));
      edited();
      valid($('csv'));
    } catch (error) {
      invalidate($('csv'), error.message);
    }
  });
}

// The slice axes name parameters as the engine does: w{j}_{k} (w{j} with one input), b{j}, v{j}, c.
function parameterList(h, n, bias) {
  const names = [];
  for (let j = 1; j <= h; j++) for (let k = 1; k <= n; k++) names.push(n === 1 ? `w${j}` : `w${j}_${k}`);
  if (bias) for (let j = 1; j <= h; j++) names.push(`b${j}`);
  for (let j = 1; j <= h; j++) names.push(`v${j}`);
  if (bias) names.push('c');
  return names;
}

function parameterNames() {
  const names = parameterList(Math.max(1, +$('hidden').value || 1), data.inputs, $('bias').checked);
  for (const [id, fallback] of [['slice-x', names[0]], ['slice-y', 'v1']]) {
    const select = $(id), keep = names.includes(select.value) ? select.value : fallback;
    select.replaceChildren(...names.map(name => new Option(name, name, false, name === keep)));
  }
}

// ---- settings, validated before any run -----------------------------------------------------------------------------

function settings() {
  return {
    dataset: data.name, hidden: $('hidden').value, bias: $('bias').checked, nonempty: $('nonempty').checked,
    unordered: $('unordered').checked, keep: $('keep').checked, witnesses: $('witnesses').checked, bins: $('bins').value,
    x: $('slice-x').value, y: $('slice-y').value, range: $('slice-range').value, at: $('slice-at').value,
  };
}

// The slice's fixed point as typed, "name=value, …": the parameters off the two axes, 0 where not named. Returns the
// point and the first problem with the text as one line (null when there is none).
function fixedPoint() {
  const text = $('slice-at').value.trim(), point = {};
  if (!text) return { point, problem: null };
  const names = parameterList(Math.max(1, +$('hidden').value || 1), data.inputs, $('bias').checked);
  for (const part of text.split(/[,;]/)) {
    const match = /^\s*([A-Za-z]\w*)\s*=\s*(\S+)\s*$/.exec(part);
    if (!match) return { point, problem: `the slice's fixed point: '${part.trim()}' is not name=value` };
    const [, name, typed] = match, value = parseNumber(typed);
    if (!names.includes(name)) return { point, problem: `the slice's fixed point names '${name}', not a parameter of this network (${names.join(', ')})` };
    if (value === null) return { point, problem: `the slice's fixed point: '${typed}' is not a finite number` };
    if (name in point) return { point, problem: `the slice's fixed point names '${name}' twice` };
    point[name] = value;
  }
  return { point, problem: null };
}

function describe(s, points) {
  const source = s.dataset === 'custom' ? `custom data (${count(points)} points)` : s.dataset;
  return `${source}, h = ${s.hidden}${s.bias ? ', bias' : ''}${s.nonempty ? ', nonempty regions' : ', all patterns'}${s.unordered ? ', unordered' : ''}`;
}

// Returns the first problem with the settings as one line, or null.
function problem() {
  const bad = document.querySelector('input.invalid');
  if (bad) return bad.title || 'a typed number is invalid';
  if (!data.points.length) return 'the dataset has no points: click the data canvas or choose a dataset';
  const whole = (id, low, high, name) => {
    const v = parseNumber($(id).value);
    return v === null || !Number.isInteger(v) || v < low || v > high ? `${name} must be a whole number from ${low} to ${high}` : null;
  };
  const range = parseNumber($('slice-range').value);
  return whole('hidden', 1, 64, 'hidden nodes h') ?? whole('bins', 1, 10000, 'bins')
    ?? (range === null || range <= 0 ? 'the slice half-width must be a positive number' : null)
    ?? fixedPoint().problem
    ?? ($('unordered').checked && !$('nonempty').checked ? 'unordered runs are over nonempty regions: tick "nonempty only" too' : null);
}

// What the panels are about to show: the run, its settings and a copy of its data.
function showing(id) {
  const s = settings();
  return { id, settings: s, label: describe(s, data.points.length), data: { points: data.points.map(p => [...p]), targets: [...data.targets], inputs: data.inputs } };
}

// Results always say what produced them; once the settings or the data move on, they say that too.
function markStale() {
  if (!shown) return;
  const same = JSON.stringify(settings()) === JSON.stringify(shown.settings)
    && JSON.stringify([data.points, data.targets]) === JSON.stringify([shown.data.points, shown.data.targets]);
  $('results-label').classList.toggle('stale', !same);
  $('results-label').textContent = `Results of ${shown.label} (run ${shown.id})${same ? '' : ' — the settings have changed since; Run to update'}`;
}

// The URL holds the settings and the runs, so a reload or a shared link re-attaches to the same runs.
function saveState(ids) {
  const s = settings(), params = new URLSearchParams(Object.entries(s).map(([k, v]) => [k, String(v)]));
  if (s.dataset === 'custom' && data.points.length <= 200) params.set('data', data.points.map((p, i) => [...p, data.targets[i]].join(',')).join(';'));
  if (ids.length) params.set('runs', ids.join(','));
  history.replaceState(null, '', `#${params}`);
}

async function loadState() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.size) return false;
  for (const id of ['hidden', 'bins']) if (params.has(id)) $(id).value = params.get(id);
  if (params.has('range')) $('slice-range').value = params.get('range');
  if (params.has('at')) $('slice-at').value = params.get('at');
  for (const id of ['bias', 'nonempty', 'unordered', 'keep', 'witnesses']) if (params.has(id)) $(id).checked = params.get(id) === 'true';
  const name = params.get('dataset') ?? 'paper-fig3';
  if (name !== 'custom') useData(await api(`api/datasets/${encodeURIComponent(name)}`));
  else if (params.has('data')) useData(parseCsv(params.get('data').replaceAll(';', '\n')));
  chooseInMenu(name);
  parameterNames();
  for (const id of ['x', 'y']) if (params.has(id)) $(`slice-${id}`).value = params.get(id);
  const runs = params.get('runs')?.split(',').filter(Boolean) ?? [];
  if (runs.length) await attach(runs);
  return true;
}

// ---- runs ---------------------------------------------------------------------------------------------------------

function duration(seconds) {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor(s % 3600 / 60)} min`;
}

// The bar shows the phase now running (a run's phases differ in kind, so they are not averaged), with its ETA from
// the phase's own rate.
function showProgress() {
  const current = active.find(r => !FINAL.has(r.state)) ?? active.at(-1);
  const p = current?.progress;
  $('progress').value = !current ? 0 : current.state === 'done' ? 1 : p?.total ? p.done / p.total : 0;
  $('phase').textContent = active.map(r => {
    if (r.state !== 'running' || !r.progress) return `${r.command}: ${r.state}`;
    const { phase, done, total, elapsed_seconds: elapsed } = r.progress;
    const eta = done > 0 && total > done && elapsed > 0 ? `, about ${duration(elapsed * (total - done) / done)} left` : '';
    return `${r.command}: ${phase} ${count(done)}/${count(total)} (${Math.floor(100 * done / Math.max(total, 1))} %${eta})`;
  }).join(' · ');
}

// Resolves with the run's result once it is done. The event stream brings progress promptly; the slow poll beside it
// still ends the run when a proxy buffers the stream or the connection drops and does not come back.
function follow(run) {
  return new Promise((resolve, reject) => {
    const events = new EventSource(`api/runs/${run.id}/events`);
    let ended = false;
    const end = (status, error) => {
      if (ended) return;
      ended = true;
      events.close();
      clearInterval(poll);
      if (error) return reject(error);
      run.state = status.state;
      showProgress();
      if (status.state === 'done') resolve(status.result);
      else reject(new Error(`${run.command} ${status.state}${status.error ? `: ${status.error}` : ''}`));
    };
    const check = () => api(`api/runs/${run.id}`).then(status => {
      if (FINAL.has(status.state)) return end(status);
      run.state = status.state;
      run.progress = status.progress ?? run.progress;
      showProgress();
    });
    // A failed poll is simply retried by the next one; only the check after a final state must succeed.
    const poll = setInterval(() => check().catch(() => {}), 2000);
    check().catch(() => {});
    events.addEventListener('progress', event => {
      run.progress = JSON.parse(event.data);
      showProgress();
    });
    events.addEventListener('state', event => {
      run.state = JSON.parse(event.data).state;
      showProgress();
      if (FINAL.has(run.state)) check().catch(error => end(null, error));
    });
  });
}

const SHOW = { enumerate: showEnumeration, regions: showCells, slice: showSlice };

function requests() {
  const s = settings(), source = s.dataset === 'custom' ? { points: data.points, targets: data.targets } : { dataset: s.dataset };
  const common = { ...source, hidden: +s.hidden, bias: s.bias };
  const list = [
    { command: 'enumerate', ...common, realizable: true, nonempty: s.nonempty, unordered: s.unordered, bins: +s.bins, keep: s.keep, witnesses: s.witnesses },
    { command: 'regions', ...common },
  ];
  if (data.inputs <= 2) list.push({ command: 'slice', ...common, ...sliceWindow(fixedPoint().point) });
  return list;
}

// The slice's axes and window: centred on the given parameters (a witness's), 0 elsewhere.
function sliceWindow(at) {
  const r = parseNumber($('slice-range').value) ?? 3, x = $('slice-x').value, y = $('slice-y').value;
  const cx = at[x] ?? 0, cy = at[y] ?? 0;
  return { x, y, at, range: [cx - r, cx + r], yrange: [cy - r, cy + r], grid: 121 };
}

function clearResults() {
  for (const id of ['summary', 'downloads', 'minima-note', 'cells-summary', 'slice-note', 'results-label']) $(id).textContent = '';
  for (const id of ['histogram', 'minima', 'cells', 'arrangement']) $(id).replaceChildren();
  $('arrangement').hidden = true;
  for (const id of ['previous', 'next']) $(id).disabled = true;
  $('all-levels').hidden = true;
  const canvas = $('slice');
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  shown = null;
  witness = null;
  drawPoints();
}

// Follows the runs to their ends, each panel filling in as soon as its own run is done; one failure does not hide
// the others, and a bad request that fails them all is said once.
async function track(entries) {
  active = entries;
  $('run').disabled = true;
  $('cancel').disabled = false;
  showProgress();
  const outcomes = await Promise.allSettled(entries.map(async entry => SHOW[entry.command](entry.id, await follow(entry), entry)));
  say([...new Set(outcomes.filter(o => o.status === 'rejected').map(o => o.reason.message))].join(' · '));
  $('run').disabled = false;
  $('cancel').disabled = true;
  refreshHistory();
}

async function run() {
  const wrong = problem();
  if (wrong) return say(wrong);
  say('');
  clearResults();
  const entries = [];
  // The enumeration is posted first: its refusal (a size limit, say) is the one to show. A refusal after it cancels
  // what was posted, so that nothing runs unseen.
  try {
    for (const body of requests()) {
      const { id } = await api('api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      entries.push({ id, command: body.command, state: 'queued', progress: null, at: body.at });
    }
  } catch (error) {
    for (const e of entries) api(`api/runs/${e.id}`, { method: 'DELETE' }).catch(() => {});
    throw error;
  }
  shown = showing(entries[0].id);
  saveState(entries.map(e => e.id));
  markStale();
  await track(entries);
}

// Re-attaches to runs by id (after a reload, or from the history): the settings come from the enumeration's request.
async function attach(ids) {
  const statuses = await Promise.all(ids.map(id => api(`api/runs/${id}`)));
  clearResults();
  const main = statuses.find(s => s.command === 'enumerate');
  if (main) {
    const r = main.request;
    if (r.dataset) useData(await api(`api/datasets/${encodeURIComponent(r.dataset)}`));
    else useData({ name: 'custom', inputs: r.points[0]?.length ?? 2, points: r.points, targets: r.targets });
    chooseInMenu(data.name);
    $('hidden').value = r.hidden;
    for (const key of ['bias', 'nonempty', 'unordered', 'keep', 'witnesses']) $(key).checked = !!r[key];
    if (r.bins) $('bins').value = r.bins;
    parameterNames();
    shown = showing(main.id);
    markStale();
  }
  saveState(ids);
  await track(statuses.map(s => ({ id: s.id, command: s.command, state: s.state, progress: s.progress, at: s.request?.at })));
}

function cancel() {
  for (const r of active) {
    if (!FINAL.has(r.state)) api(`api/runs/${r.id}`, { method: 'DELETE' }).catch(error => say(error.message));
  }
}

async function refreshHistory() {
  const runs = (await api('api/runs').catch(() => [])).filter(r => r.command === 'enumerate');
  const keep = $('history').value;
  $('history').replaceChildren(new Option(runs.length ? `${runs.length} stored` : '—', ''),
    ...runs.map(r => new Option(`${r.id} · ${r.dataset} · h = ${r.hidden} · ${r.state}`, r.id, false, r.id === keep)));
}

// ---- Figure 3 -----------------------------------------------------------------------------------------------------

// Bars sit in equal slots (one per level, or one per bin); markers are placed by interpolating between the slots'
// anchor losses, so a marker at a level's loss lands exactly on that level's bars. Poor minima, however many levels
// they span, are one shaded band with one label, and the marker labels take at most MARKER_ROWS rows.
function histogram(result) {
  const m = result.minima, levels = m?.levels ?? [], logScale = $('log-counts').checked;
  const byLevel = levels.length > 0 && (m.level_count ?? levels.length) <= MAX_LEVELS;
  // A level's bar selects the losses nearer to it than to its neighbours: the rows the engine grouped into it.
  const bars = byLevel
    ? levels.map((l, i) => ({ loss: l.loss, from: i ? (levels[i - 1].loss + l.loss) / 2 : -Infinity, to: i + 1 < levels.length ? (l.loss + levels[i + 1].loss) / 2 : Infinity, all: l.regions, real: l.realizable ?? 0 }))
    : result.histogram.map((b, i) => ({ loss: b.from, from: b.from, to: b.to, all: b.regions, real: result.realizable?.histogram[i]?.regions ?? 0 }));

  // "global minimum" is inf L_f of the real network; the lowest subglobal minimum is only a lower bound and is marked as one.
  const marks = [['global minimum (inf L_f)', m?.global_minimum, 'global'], ['lowest subglobal', m?.lowest_subglobal, 'subglobal'],
    ['linear region', m?.linear?.loss, 'linear'], ['dead region', m?.dead?.loss ?? result.dead_region_loss, 'dead']]
    .filter(([, loss]) => Number.isFinite(loss));
  const poor = (m?.poor_realizable_levels ?? []).filter(Number.isFinite);

  const width = 660, right = 14, chart = 200;
  const maxCount = Math.max(...bars.map(b => b.all), 1);
  const scale = logScale ? c => Math.log10(1 + c) : c => c, yTop = logScale ? Math.ceil(Math.log10(1 + maxCount)) : null;
  const step = logScale ? null : niceStep(maxCount), yMax = logScale ? Math.max(yTop, 1) : Math.ceil(maxCount / step) * step;
  const ticks = logScale ? Array.from({ length: yMax + 1 }, (_, k) => 10 ** k - (k === 0 ? 1 : 0)) : Array.from({ length: Math.round(yMax / step) + 1 }, (_, k) => k * step);
  const left = 26 + 6.5 * Math.max(...ticks.map(t => count(t).length)), plot = width - left - right, slot = plot / Math.max(bars.length, 1);
  const anchors = byLevel
    ? bars.map((b, i) => [b.loss, left + slot * (i + 0.5)])
    : [...bars.map((b, i) => [b.from, left + slot * i]), [bars.at(-1)?.to ?? 0, left + plot]];
  const xOf = loss => {
    if (anchors.length === 1 || loss <= anchors[0][0]) return anchors[0][1];
    const k = anchors.findIndex(([l]) => l >= loss);
    if (k < 0) return anchors.at(-1)[1];
    const [l0, x0] = anchors[k - 1], [l1, x1] = anchors[k];
    return l1 === l0 ? x1 : x0 + (x1 - x0) * (loss - l0) / (l1 - l0);
  };

  const labelled = marks.map(([label, loss, kind]) => ({ label, x: xOf(loss), kind }));
  if (poor.length) {
    const x0 = xOf(poor[0]), x1 = xOf(poor.at(-1)), levelsText = count(m.poor_realizable_level_count ?? poor.length);
    labelled.push({ label: `poor realizable (${levelsText} level${poor.length === 1 ? '' : 's'})`, x: (x0 + x1) / 2, kind: 'poor', band: [x0, x1] });
  }
  const rowEnds = [];
  for (const p of labelled.sort((a, b) => a.x - b.x)) {
    const w = p.label.length * 6.6;
    p.start = Math.max(left, Math.min(p.x - w / 2, width - right - w));
    let r = rowEnds.findIndex(end => end < p.start - 4);
    if (r < 0) r = rowEnds.length < MARKER_ROWS ? rowEnds.push(0) - 1 : rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[r] = p.start + w;
    p.row = r;
  }
  const top = 30 + 13 * rowEnds.length, bottom = top + chart, height = bottom + (byLevel ? 80 : 60);
  const y = c => bottom - chart * scale(c) / yMax;

  const title = shown ? `Figure 3: subglobal minima of ${shown.label}` : 'Figure 3';
  let s = `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}"><text class="title" x="${left}" y="14">${esc(title)}</text>`;
  for (const c of ticks) {
    s += `<line class="grid" x1="${left}" x2="${width - right}" y1="${y(c)}" y2="${y(c)}"/><text class="tick" x="${left - 5}" y="${y(c) + 4}" text-anchor="end">${count(c)}</text>`;
  }
  s += `<text class="label" transform="translate(11 ${top + chart / 2}) rotate(-90)" text-anchor="middle">regions${logScale ? ' (log scale)' : ''}</text>`;
  for (const p of labelled.filter(p => p.band)) {
    s += `<rect class="band poor" x="${Math.min(...p.band) - 3}" y="${top}" width="${Math.abs(p.band[1] - p.band[0]) + 6}" height="${chart}"/>`;
  }
  const barWidth = Math.max(1, slot * 0.4);
  bars.forEach((b, i) => {
    const x = left + slot * (i + 0.5), range = byLevel ? `loss ${fmt(b.loss)}` : `loss ${fmt(b.from)} to ${fmt(b.to)}`;
    const selected = table.from === b.from && table.to === b.to ? ' selected' : '';
    s += `<rect class="all${selected}" x="${x - barWidth}" y="${y(b.all)}" width="${barWidth}" height="${bottom - y(b.all)}"/>`;
    s += `<rect class="realizable${selected}" x="${x}" y="${y(b.real)}" width="${barWidth}" height="${bottom - y(b.real)}"/>`;
    // One focusable target per slot: a click or Enter shows that slot's realizable minima in the table.
    s += `<rect class="bar" x="${left + slot * i}" y="${top}" width="${slot}" height="${chart}" fill="transparent" tabindex="0" role="button"
      data-from="${b.from}" data-to="${b.to}" aria-label="${range}: ${count(b.all)} regions, ${count(b.real)} realizable"><title>${range}: ${count(b.all)} regions, ${count(b.real)} realizable (click for the table)</title></rect>`;
    if (byLevel) s += `<text class="tick" transform="translate(${x} ${bottom + 10}) rotate(-40)" text-anchor="end">${fmt(b.loss)}</text>`;
  });
  if (!byLevel) {
    const every = Math.ceil(anchors.length / 8);
    anchors.forEach(([loss, x], k) => {
      if (k % every === 0 || k === anchors.length - 1) s += `<text class="tick" x="${x}" y="${bottom + 14}" text-anchor="middle">${fmt(loss)}</text>`;
    });
  }
  s += `<line class="axis" x1="${left}" x2="${width - right}" y1="${bottom}" y2="${bottom}"/>`;
  for (const p of labelled) {
    const ly = 30 + 13 * p.row - 4;
    if (!p.band) s += `<line class="mark ${p.kind}" x1="${p.x}" x2="${p.x}" y1="${ly + 3}" y2="${bottom}"/>`;
    s += `<text class="mark ${p.kind}" x="${p.start}" y="${ly}">${esc(p.label)}</text>`;
  }
  s += `<text class="label" x="${left + plot / 2}" y="${height - 22}" text-anchor="middle">subglobal-minimum loss ${byLevel ? '(one pair of bars per level)' : `(${bars.length} bins)`}</text>`;
  s += `<rect class="all" x="${left}" y="${height - 12}" width="10" height="10"/><text class="label" x="${left + 14}" y="${height - 3}">all regions</text>`;
  s += `<rect class="realizable" x="${left + 100}" y="${height - 12}" width="10" height="10"/><text class="label" x="${left + 114}" y="${height - 3}">realizable (real local minima)</text>`;
  $('histogram').innerHTML = `${s}</svg>`;
}

function summary(result) {
  const m = result.minima, real = result.realizable;
  const parts = [real ? `${count(real.count)} realizable of ${count(result.count)} regions` : `${count(result.count)} regions (realizability not checked)`];
  if (m) {
    const g = result.global;
    if (g) parts.push(`global minimum inf L_f ${fmt(g.globalMinimum)} (${g.attainedAtBoundary ? 'only on a region boundary, below every differentiable minimum' : 'at a realizable minimum'})`);
    parts.push(`lowest subglobal ${fmt(m.lowest_subglobal)} (a lower bound; ${m.lowest_subglobal_realizable ? 'realizable' : `not realizable; lowest realizable ${fmt(m.lowest_realizable)}`})`);
    const poor = m.poor_realizable_levels ?? [], total = m.poor_realizable_level_count ?? poor.length;
    const against = m.poor_reference === 'global_minimum' ? 'inf L_f' : 'the lowest realizable';
    // A long list of levels is shortened to its count and ends: a summary is read, not scrolled.
    const where = total === 1 ? `at ${fmt(poor[0])}` : total <= 5 ? `at ${total} levels: ${poor.map(fmt).join(', ')}`
      : `at ${count(total)} levels from ${fmt(poor[0])}${poor.length === total ? ` to ${fmt(poor.at(-1))}` : ''}`;
    parts.push(total ? `${count(m.poor_realizable)} poor realizable minima (above ${against}) ${where}` : `no poor realizable minima (above ${against})`);
    if (result.decisions?.undecided) parts.push(`${count(result.decisions.undecided)} undecided`);
  }
  if (result.completed === false) parts.push(`incomplete: ${count(result.done)} of ${count(result.rows)} rows`);
  return parts.join(' · ');
}

const link = (href, text) => el('a', { href, download: '', textContent: text });

async function showEnumeration(id, result) {
  $('summary').textContent = summary(result);
  histogram(result);
  const kept = shown?.settings.keep !== false;
  $('downloads').replaceChildren('Download: ', link(`api/runs/${id}/result.json`, 'result.json'),
    ...(kept ? [' · ', link(`api/runs/${id}/regions.csv`, 'regions.csv'), ' · ', link(`api/runs/${id}/figures/histogram.svg`, 'Figure 3 (SVG)'),
      ' · ', link(`api/runs/${id}/figures/histogram.png`, 'Figure 3 (PNG)')] : []));
  $('histogram').onclick = event => filter(event.target.closest('rect.bar'));
  $('histogram').onkeydown = event => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    filter(event.target.closest('rect.bar'));
  };
  $('log-counts').onchange = () => histogram(result);
  $('all-levels').onclick = () => { Object.assign(table, { from: null, to: null, offset: 0 }); histogram(result); loadMinima(id); };
  Object.assign(table, { offset: 0, sort: 'row', from: null, to: null });
  if (!kept) {
    $('minima-note').textContent = 'rows were not kept (keep rows off): the run has its counts and histogram only';
    return;
  }
  await loadMinima(id);

  function filter(bar) {
    if (!bar) return;
    Object.assign(table, { from: +bar.dataset.from, to: +bar.dataset.to, offset: 0 });
    histogram(result);
    loadMinima(id).catch(error => say(error.message));
  }
}

// A page of realizable minima from the API: sorted and filtered there, so a run of millions of rows pages as fast as one of ten.
async function loadMinima(id) {
  const query = new URLSearchParams({ realizable: 'true', offset: table.offset, limit: PAGE, sort: table.sort });
  if (table.from !== null && Number.isFinite(table.from)) query.set('from', table.from);
  if (table.to !== null && Number.isFinite(table.to)) query.set('to', table.to);
  const page = await api(`api/runs/${id}/regions?${query}`);
  const filtered = table.from !== null ? `, loss in [${fmt(table.from)}, ${fmt(table.to)}]` : '';
  $('minima-note').textContent = page.total
    ? `rows ${count(page.offset + 1)}–${count(page.offset + page.rows.length)} of ${count(page.total)} realizable minima${filtered}`
    : `no realizable minima${filtered}`;
  $('all-levels').hidden = table.from === null;
  $('previous').disabled = table.offset === 0;
  $('next').disabled = table.offset + page.rows.length >= page.total;
  $('previous').onclick = () => { table.offset = Math.max(0, table.offset - PAGE); loadMinima(id).catch(error => say(error.message)); };
  $('next').onclick = () => { table.offset += PAGE; loadMinima(id).catch(error => say(error.message)); };

  const indexed = page.rows.some(r => r.index >= 0), withCells = page.rows.some(r => r.cells.length > 0);
  const sortable = (key, text) => el('th', { ariaSort: table.sort === key ? 'ascending' : 'none' },
    el('button', { type: 'button', textContent: `${text}${table.sort === key ? ' ▲' : ''}`, title: `sort by ${text}`, dataset: { sort: key } }));
  fillTable($('minima'), [sortable('row', 'row'), ...(indexed ? ['index'] : []), ...(withCells ? ['cells'] : []), sortable('loss', 'loss'), sortable('rank', 'rank'), 'pattern'],
    page.rows.map(r => row([r.row, ...(indexed ? [r.index >= 0 ? r.index : '–'] : []), ...(withCells ? [r.cells.map(c => c + 1).join(' ')] : []), fmt(r.loss), r.rank,
      el('td', { className: 'pattern', textContent: r.pattern, title: 'one column of N digits per node, node 1 first' })], { dataset: { row: r.row, pattern: r.pattern }, tabIndex: 0 })));
  $('minima').querySelector('thead').onclick = event => {
    const key = event.target.dataset.sort;
    if (!key) return;
    Object.assign(table, { sort: key, offset: 0 });
    loadMinima(id).catch(error => say(error.message));
  };
  const open = target => {
    const tr = target.closest('tbody tr[data-row]');
    if (tr) openWitness(id, tr).catch(error => say(error.message));
  };
  $('minima').querySelector('tbody').onclick = event => open(event.target);
  // Enter is taken here: left to the browser, the same key press would go on to the dialog's first button and close it.
  $('minima').querySelector('tbody').onkeydown = event => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    open(event.target);
  };
}

// ---- witness network ----------------------------------------------------------------------------------------------

async function openWitness(id, tr) {
  if (shown?.settings.witnesses === false) return say('witnesses were not kept for this run (witnesses off)');
  const w = await api(`api/runs/${id}/witnesses/${tr.dataset.row}`);
  showWitness(w, id, tr);
}

function parametersOf(w) {
  const h = w.v.length, n = w.W[0]?.length ?? 0, values = {};
  for (let j = 0; j < h; j++) {
    w.W[j].forEach((value, k) => { values[n === 1 ? `w${j + 1}` : `w${j + 1}_${k + 1}`] = value; });
    if (w.b) values[`b${j + 1}`] = w.b[j];
    values[`v${j + 1}`] = w.v[j];
  }
  if (w.c !== undefined) values.c = w.c;
  return values;
}

function showWitness(w, id, tr) {
  witness = w;
  drawPoints();
  const h = w.v.length, n = w.W[0]?.length ?? 0, bias = w.b !== undefined;
  $('witness-title').textContent = `Witness network of row ${tr.dataset.row}${w.index !== undefined ? ` (region ${w.index})` : ''}`;
  $('witness-pattern').textContent = `activation pattern (one column of N digits per node): ${tr.dataset.pattern}`;
  const inputs = n === 1 ? ['w'] : Array.from({ length: n }, (_, k) => `w_j${k + 1}`);
  fillTable($('witness-weights'), ['node', ...inputs, ...(bias ? ['b'] : []), 'v'],
    w.W.map((weights, j) => row([`h${j + 1}`, ...weights.map(fmt), ...(bias ? [fmt(w.b[j])] : []), fmt(w.v[j])])));
  $('witness-scalars').textContent = `${bias ? `c = ${fmt(w.c)} · ` : ''}loss ${fmt(w.loss)} · margin ${fmt(w.margin)}`;

  // The network's output on each point of the run's data, beside its target: where the loss comes from.
  const d = shown?.data;
  if (d && d.inputs === n) {
    fillTable($('witness-predictions'), ['point', 'target', 'output', 'residual'], d.points.map((x, i) => {
      const out = w.W.reduce((sum, wj, j) => sum + w.v[j] * Math.max(0, wj.reduce((a, wk, k) => a + wk * x[k], bias ? w.b[j] : 0)), bias ? w.c : 0);
      return row([i + 1, fmt(d.targets[i]), fmt(out), fmt(out - d.targets[i])]);
    }));
  }

  // Edge width follows |weight| and colour its sign, so the shape of the network reads at a glance.
  const largest = Math.max(...w.W.flat().map(Math.abs), ...w.v.map(Math.abs), 1e-12);
  const height = 60 + 70 * Math.max(n, h), middle = 10 + height / 2, at = (total, i) => middle + 70 * (i - (total - 1) / 2);
  const xi = 40, xh = 230, xo = 400;
  const edge = (x1, y1, x2, y2, weight, t) => `<line class="edge ${weight < 0 ? 'neg' : 'pos'}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke-width="${1 + 3 * Math.abs(weight) / largest}"/>` +
    `<text class="weight" x="${x1 + (x2 - x1) * t}" y="${y1 + (y2 - y1) * t - 3}" text-anchor="middle">${esc(fmt(weight))}</text>`;
  const node = (x, y, cls, label, below = '') => `<circle class="node ${cls}" cx="${x}" cy="${y}" r="16"/><text x="${x}" y="${y + 4}" text-anchor="middle">${label}</text>` +
    (below ? `<text class="weight" x="${x}" y="${y + 30}" text-anchor="middle">${esc(below)}</text>` : '');
  let s = [[xi, 'inputs'], [xh, 'ReLU nodes'], [xo, 'output']].map(([x, title]) => `<text class="tick" x="${x}" y="14" text-anchor="middle">${title}</text>`).join('');
  // Input weights are labelled near their hidden node, where edges from different inputs have spread apart.
  for (let j = 0; j < h; j++) {
    for (let k = 0; k < n; k++) s += edge(xi, at(n, k), xh, at(h, j), w.W[j][k], 0.72);
    s += edge(xh, at(h, j), xo, middle, w.v[j], 0.5);
  }
  for (let k = 0; k < n; k++) s += node(xi, at(n, k), 'input', n === 1 ? 'x' : `x${k + 1}`);
  for (let j = 0; j < h; j++) s += node(xh, at(h, j), 'relu', `h${j + 1}`, bias ? `b = ${fmt(w.b[j])}` : '');
  s += node(xo, middle, 'output', 'ŷ', bias ? `c = ${fmt(w.c)}` : '');
  const svg = $('network');
  svg.setAttribute('viewBox', `0 0 440 ${height}`);
  svg.innerHTML = s;
  $('witness-download').href = `api/runs/${id}/witnesses/${tr.dataset.row}`;
  $('centre-slice').onclick = () => {
    $('witness').close();
    centreSlice(parametersOf(w)).catch(error => say(error.message));
  };
  $('witness').showModal();
}

// Figure 2 around a witness: the slice through its parameters, along the chosen axes.
async function centreSlice(at) {
  if (!shown) return;
  const s = shown.settings, d = shown.data;
  const source = s.dataset === 'custom' ? { points: d.points, targets: d.targets } : { dataset: s.dataset };
  const { id } = await api('api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ command: 'slice', ...source, hidden: +s.hidden, bias: s.bias, ...sliceWindow(at) }) });
  const entry = { id, command: 'slice', state: 'queued', progress: null };
  active = [entry];
  showProgress();
  showSlice(id, await follow(entry), entry, at);
}

// ---- Figure 1 -----------------------------------------------------------------------------------------------------

function showCells(_, result) {
  $('cells-summary').textContent = `${count(result.cells_per_node)} cells per node, ${count(result.nonempty_regions)} nonempty regions of ${count(result.patterns)} patterns`;
  const interior = result.bias ? 'interior point (w, b)' : 'interior point w';
  fillTable($('cells'), ['cell', 'column (point 1…N)', interior],
    result.cells.map((c, i) => row([i + 1, c.column, `(${c.interior.map(fmt).join(', ')})`])));
  drawArrangement(result);
}

// Figure 1 as the paper draws it, when one node's weight space is a plane (two inputs, or one input with bias): the
// lines wᵀx_i + b = 0 through the origin, one per point, and each cell shaded by how many points it activates. Every
// cell is a cone, so its number stands on the ray through its interior point.
function drawArrangement(result) {
  const d = shown?.data, svg = $('arrangement');
  if (!d || result.cells[0]?.interior.length !== 2 || d.inputs + (result.bias ? 1 : 0) !== 2) { svg.hidden = true; return; }
  const planes = d.points.map(x => result.bias ? [x[0], 1] : [x[0], x[1]]);
  const range = 1, pixels = 68, size = (VIEW - 2 * MARGIN) / pixels;
  let s = `${PLOT_CLIP}<g clip-path="url(#plot-area)">`;
  for (let r = 0; r < pixels; r++) {
    for (let c = 0; c < pixels; c++) {
      const u1 = -range + (c + 0.5) * 2 * range / pixels, u2 = range - (r + 0.5) * 2 * range / pixels;
      const activeCount = planes.filter(([a, b]) => a * u1 + b * u2 > 0).length, shade = 250 - Math.round(130 * activeCount / Math.max(planes.length, 1));
      s += `<rect x="${MARGIN + c * size}" y="${MARGIN + r * size}" width="${size + 0.3}" height="${size + 0.3}" fill="rgb(${shade},${shade},255)"/>`;
    }
  }
  for (const [a, b] of planes) s += fullLine(a, b, 0, range, '');
  s += '</g>';
  // Numbers only while they fit around the circle.
  if (result.cells.length <= 24) {
    result.cells.forEach((cell, i) => {
      const length = Math.hypot(...cell.interior) || 1, [x, y] = toPx(cell.interior.map(v => 0.82 * v / length), range);
      s += `<text x="${x}" y="${y + 4}" text-anchor="middle" font-weight="600">${i + 1}</text>`;
    });
  }
  const [u, v] = result.bias ? ['w', 'b'] : ['w₁', 'w₂'];
  s += `<text class="tick" x="${VIEW / 2}" y="${VIEW - 6}" text-anchor="middle">${u} (directions only: every cell is a cone)</text>`;
  s += `<text class="tick" transform="translate(12 ${VIEW / 2}) rotate(-90)" text-anchor="middle">${v}</text>`;
  svg.innerHTML = s;
  svg.setAttribute('aria-label', `the arrangement of ${planes.length} lines through the origin of one node's weight space (${u}, ${v}): ${result.cells.length} cells, darker where more points are active`);
  svg.hidden = false;
}

// ---- Figure 2 -----------------------------------------------------------------------------------------------------

// Viridis at nine stops: perceptually even, and readable in grey and by colour-blind readers.
const VIRIDIS = [[68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];
function colour(t) {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1), i = Math.min(Math.floor(x), VIRIDIS.length - 2), f = x - i;
  return VIRIDIS[i].map((a, k) => Math.round(a + (VIRIDIS[i + 1][k] - a) * f));
}

// Figure 2: through the open witness when `at` names one, else through the run's typed fixed point (entry.at).
function showSlice(id, result, entry, at = {}) {
  const witness = Object.keys(at).length > 0, fixed = witness ? {} : entry?.at ?? {}, centre = witness ? at : fixed;
  const { xs, ys, loss, min, max } = result, cols = xs.length, rows = ys.length;
  // A log-like scale: a thousandth of the range stays linear, above that logarithmic, so basins near zero show.
  const soft = Math.max((max - min) / 1000, 1e-12), top = Math.log1p((max - min) / soft) || 1;
  const scale = v => Math.log1p(Math.max(0, v - min) / soft) / top;
  const inverse = t => min + soft * Math.expm1(t * top);

  const canvas = $('slice'), ratio = window.devicePixelRatio || 1, width = 480, height = 410;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.style.width = `${width}px`;
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  const left = 52, top0 = 12, size = 340, bar = { x: left + size + 22, w: 14 };

  const image = new ImageData(cols, rows);
  loss.forEach((line, r) => line.forEach((v, c) => image.data.set([...colour(scale(v)), 255], 4 * ((rows - 1 - r) * cols + c))));
  const tile = new OffscreenCanvas(cols, rows);
  tile.getContext('2d').putImageData(image, 0, 0);
  g.imageSmoothingEnabled = false;
  g.drawImage(tile, left, top0, size, size);

  const [x0, x1, y0, y1] = [xs[0], xs[cols - 1], ys[0], ys[rows - 1]];
  const px = x => left + (x - x0) / (x1 - x0) * size, py = y => top0 + size - (y - y0) / (y1 - y0) * size;
  g.save();
  g.beginPath();
  g.rect(left, top0, size, size);
  g.clip();
  g.setLineDash([6, 4]);
  g.lineWidth = 1.5;
  g.strokeStyle = 'rgba(255,255,255,0.9)';
  for (const { a, b, c } of result.boundaries) {
    g.beginPath();
    if (Math.abs(c) >= Math.abs(b) && c !== 0) {
      g.moveTo(px(x0), py(-(a + b * x0) / c));
      g.lineTo(px(x1), py(-(a + b * x1) / c));
    } else if (b !== 0) {
      g.moveTo(px(-(a + c * y0) / b), py(y0));
      g.lineTo(px(-(a + c * y1) / b), py(y1));
    }
    g.stroke();
  }
  g.restore();
  // The centre of a slice through a witness or a typed point: that point.
  if (centre[result.x] !== undefined) {
    g.strokeStyle = '#fff';
    g.lineWidth = 2;
    g.beginPath();
    g.arc(px(centre[result.x]), py(centre[result.y] ?? 0), 6, 0, 2 * Math.PI);
    g.stroke();
  }

  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#333';
  g.strokeStyle = '#333';
  g.lineWidth = 1;
  g.strokeRect(left, top0, size, size);
  g.textAlign = 'center';
  for (let k = 0; k <= 4; k++) {
    const vx = x0 + (x1 - x0) * k / 4, vy = y0 + (y1 - y0) * k / 4;
    g.fillText(fmt(vx), px(vx), top0 + size + 14);
    g.textAlign = 'right';
    g.fillText(fmt(vy), left - 5, py(vy) + 4);
    g.textAlign = 'center';
  }
  g.font = 'bold 12px system-ui, sans-serif';
  g.fillText(result.x, left + size / 2, top0 + size + 32);
  g.save();
  g.translate(14, top0 + size / 2);
  g.rotate(-Math.PI / 2);
  g.fillText(result.y, 0, 0);
  g.restore();

  const ramp = g.createLinearGradient(0, top0 + size, 0, top0);
  for (let k = 0; k <= 16; k++) ramp.addColorStop(k / 16, `rgb(${colour(k / 16)})`);
  g.fillStyle = ramp;
  g.fillRect(bar.x, top0, bar.w, size);
  g.strokeRect(bar.x, top0, bar.w, size);
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#333';
  g.textAlign = 'left';
  for (let k = 0; k <= 4; k++) g.fillText(fmt(inverse(k / 4)), bar.x + bar.w + 4, top0 + size - size * k / 4 + 4);
  g.fillText('L', bar.x + 2, top0 + size + 32);

  const named = Object.entries(fixed).map(([name, value]) => `${name} = ${fmt(value)}`).join(', ');
  const through = witness ? 'through the open witness (ringed), ' : named ? `through ${named}, the other parameters at 0, ` : 'with the other parameters at 0, ';
  const note = `L_f on ${result.x} × ${result.y} ${through}from ${fmt(min)} to ${fmt(max)} on a log-like colour scale; ${result.boundaries.length} activation boundaries dashed`;
  canvas.setAttribute('aria-label', note);
  $('slice-note').replaceChildren(`${note}. `, link(`api/runs/${id}/figures/slice.svg`, 'SVG'), ' · ', link(`api/runs/${id}/figures/slice.png`, 'PNG'));
}

// ---- start --------------------------------------------------------------------------------------------------------

async function main() {
  wireData();
  for (const id of ['hidden', 'bias']) $(id).addEventListener('change', () => { parameterNames(); markStale(); });
  for (const id of ['nonempty', 'unordered', 'keep', 'witnesses', 'bins', 'slice-x', 'slice-y', 'slice-range', 'slice-at']) $(id).addEventListener('change', markStale);
  $('dataset').addEventListener('change', () => chooseDataset().catch(error => say(error.message)));
  $('generate').addEventListener('click', () => generate().catch(error => say(error.message)));
  $('run').addEventListener('click', () => run().catch(error => { say(error.message); $('run').disabled = false; $('cancel').disabled = true; }));
  $('cancel').addEventListener('click', cancel);
  $('history').addEventListener('change', () => { if ($('history').value) attach([$('history').value]).catch(error => say(error.message)); });
  const datasets = await api('api/datasets');
  $('dataset').replaceChildren(...datasets.map(d => new Option(d.name, d.name)), new Option('random…', 'random'), new Option('custom', 'custom'));
  refreshHistory();
  if (!await loadState()) {
    $('dataset').value = 'paper-fig3';
    useData(datasets.find(d => d.name === 'paper-fig3') ?? datasets[0]);
  }
  parameterNames();
}

main().catch(error => say(error.message));
