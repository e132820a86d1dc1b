// The explorer shows only what the engine's JSON API returns; it computes nothing about the loss surface itself.
const $ = id => document.getElementById(id);
const FINAL = new Set(['done', 'failed', 'cancelled']);
const RANGE = 4;          // the data canvas spans [-RANGE, RANGE]²
const MAX_LEVELS = 40;    // beyond this many loss levels the histogram falls back to the run's bins

const data = { datasets: [], points: [], targets: [], inputs: 2 };
let active = [];          // the runs of the latest Run click: Cancel and the progress line work on these

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
  return v === 0 || Math.abs(v) >= 1e-3 ? String(+v.toPrecision(4)) : v.toExponential(2);
}

const esc = s => String(s).replace(/[&<>"]/g, ch => `&#${ch.charCodeAt(0)};`);

function el(tag, { dataset = {}, ...props } = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
}

function fillTable(table, header, rows) {
  table.replaceChildren(el('thead', {}, el('tr', {}, ...header.map(h => el('th', { textContent: h })))), el('tbody', {}, ...rows));
}

const row = (cells, props = {}) => el('tr', props, ...cells.map(c => el('td', { textContent: c })));

// ---- data ---------------------------------------------------------------------------------------------------------

const PX = 320 / (2 * RANGE);
const toPx = ([x, y = 0]) => [(x + RANGE) * PX, (RANGE - y) * PX];

// Snapping to 0.1 keeps hand-placed data readable in the table and in the request.
function fromEvent(event) {
  const box = $('points').getBoundingClientRect();
  const snap = v => Math.round(Math.max(-RANGE, Math.min(RANGE, v)) * 10) / 10;
  const x = snap((event.clientX - box.left) / box.width * 2 * RANGE - RANGE);
  const y = snap(RANGE - (event.clientY - box.top) / box.height * 2 * RANGE);
  return data.inputs === 1 ? [x] : [x, y];
}

function drawPoints() {
  let s = '';
  for (let t = -RANGE; t <= RANGE; t++) {
    const [p] = toPx([t, 0]), cls = t === 0 ? 'axis' : 'grid';
    s += `<line class="${cls}" x1="${p}" x2="${p}" y1="0" y2="320"/><line class="${cls}" x1="0" x2="320" y1="${p}" y2="${p}"/>`;
  }
  data.points.forEach((point, i) => {
    const [x, y] = toPx(point);
    s += `<circle class="point" data-i="${i}" cx="${x}" cy="${y}" r="7"/><text x="${x + 9}" y="${y - 8}">${i + 1}: y=${esc(fmt(data.targets[i]))}</text>`;
  });
  $('points').innerHTML = s;
}

function drawTable() {
  const number = (value, field, i) => el('input', { type: 'number', step: '0.1', value, dataset: { i, field } });
  const header = ['#', ...(data.inputs === 1 ? ['x'] : ['x₁', 'x₂']), 'target', ''];
  fillTable($('targets'), header, data.points.map((p, i) => el('tr', {},
    el('td', { textContent: i + 1 }),
    ...p.map((v, k) => el('td', {}, number(v, k, i))),
    el('td', {}, number(data.targets[i], 'target', i)),
    el('td', {}, el('button', { type: 'button', textContent: '×', title: 'remove', dataset: { remove: i } })))));
}

// Any edit of a built-in dataset makes it custom: the request then carries the points inline.
function edited() {
  $('dataset').value = 'custom';
  drawPoints();
}

function chooseDataset() {
  const chosen = data.datasets.find(d => d.name === $('dataset').value);
  if (chosen) {
    data.points = chosen.points.map(p => [...p]);
    data.targets = [...chosen.targets];
    data.inputs = chosen.inputs;
  }
  drawPoints();
  drawTable();
  parameterNames();
}

function wireData() {
  const svg = $('points');
  let dragging = null;
  svg.addEventListener('pointerdown', event => {
    if (event.target.dataset.i !== undefined) dragging = +event.target.dataset.i;
    else {
      data.points.push(fromEvent(event));
      data.targets.push(0);
      dragging = data.points.length - 1;
      drawTable();
    }
    svg.setPointerCapture(event.pointerId);
    edited();
  });
  svg.addEventListener('pointermove', event => {
    if (dragging === null) return;
    data.points[dragging] = fromEvent(event);
    drawPoints();
  });
  const drop = () => { if (dragging !== null) { dragging = null; drawTable(); } };
  svg.addEventListener('pointerup', drop);
  svg.addEventListener('pointercancel', drop);

  $('targets').addEventListener('change', event => {
    const { i, field } = event.target.dataset, value = +event.target.value;
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
    data.points.push(data.inputs === 1 ? [0] : [0, 0]);
    data.targets.push(0);
    edited();
    drawTable();
  });
  // Clearing is also the way from a one-input dataset back to placing points in the plane.
  $('clear-points').addEventListener('click', () => {
    data.points = [];
    data.targets = [];
    data.inputs = 2;
    edited();
    drawTable();
    parameterNames();
  });
}

// The slice axes name parameters as the engine does: w{j}_{k} (w{j} with one input), b{j}, v{j}, c.
function parameterNames() {
  const h = Math.max(1, +$('hidden').value || 1), bias = $('bias').checked, n = data.inputs, names = [];
  for (let j = 1; j <= h; j++) for (let k = 1; k <= n; k++) names.push(n === 1 ? `w${j}` : `w${j}_${k}`);
  if (bias) for (let j = 1; j <= h; j++) names.push(`b${j}`);
  for (let j = 1; j <= h; j++) names.push(`v${j}`);
  if (bias) names.push('c');
  for (const [id, fallback] of [['slice-x', names[0]], ['slice-y', 'v1']]) {
    const select = $(id), keep = names.includes(select.value) ? select.value : fallback;
    select.replaceChildren(...names.map(name => new Option(name, name, false, name === keep)));
  }
}

// ---- runs ---------------------------------------------------------------------------------------------------------

function showProgress() {
  const fraction = r => r.state === 'done' ? 1 : r.progress?.total ? r.progress.done / r.progress.total : 0;
  $('progress').value = active.length ? active.reduce((sum, r) => sum + fraction(r), 0) / active.length : 0;
  $('phase').textContent = active.map(r => r.state === 'running' && r.progress
    ? `${r.command}: ${r.progress.phase} ${r.progress.done}/${r.progress.total}`
    : `${r.command}: ${r.state}`).join(' · ');
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

function requests() {
  const source = $('dataset').value === 'custom' ? { points: data.points, targets: data.targets } : { dataset: $('dataset').value };
  const common = { ...source, hidden: +$('hidden').value, bias: $('bias').checked };
  const list = [
    [{ command: 'enumerate', ...common, realizable: true, nonempty: $('nonempty').checked, unordered: false,
      bins: +$('bins').value, keep: true, witnesses: true }, showEnumeration],
    [{ command: 'regions', ...common }, showCells],
  ];
  if (data.inputs <= 2) {
    list.push([{ command: 'slice', ...common, x: $('slice-x').value, y: $('slice-y').value,
      range: [-3, 3], yrange: [-3, 3], grid: 121 }, showSlice]);
  }
  return list;
}

function clearResults() {
  for (const id of ['summary', 'downloads', 'minima-note', 'cells-summary', 'slice-note']) $(id).textContent = '';
  for (const id of ['histogram', 'minima', 'cells']) $(id).replaceChildren();
  const canvas = $('slice');
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
}

async function run() {
  say('');
  clearResults();
  active = [];
  $('run').disabled = true;
  $('cancel').disabled = false;
  // Each panel fills in as soon as its own run is done; one failure does not hide the others.
  const outcomes = await Promise.allSettled(requests().map(async ([body, show]) => {
    const { id } = await api('api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const entry = { id, command: body.command, state: 'queued', progress: null };
    active.push(entry);
    showProgress();
    await show(id, await follow(entry));
  }));
  // A bad request fails all three runs alike: say it once.
  say([...new Set(outcomes.filter(o => o.status === 'rejected').map(o => o.reason.message))].join(' · '));
  $('run').disabled = false;
  $('cancel').disabled = true;
}

function cancel() {
  for (const r of active) {
    if (!FINAL.has(r.state)) api(`api/runs/${r.id}`, { method: 'DELETE' }).catch(error => say(error.message));
  }
}

// ---- Figure 3 -----------------------------------------------------------------------------------------------------

function niceStep(max) {
  const raw = Math.max(max, 1) / 4, power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map(m => m * power).find(step => step >= raw);
}

// Bars sit in equal slots (one per level, or one per bin); markers are placed by interpolating between the slots'
// anchor losses, so a marker at a level's loss lands exactly on that level's bars.
function histogram(result) {
  const m = result.minima, levels = m?.levels ?? [];
  const byLevel = levels.length > 0 && levels.length <= MAX_LEVELS;
  const bars = byLevel
    ? levels.map(l => ({ from: l.loss, to: l.loss, all: l.regions, real: l.realizable ?? 0 }))
    : result.histogram.map((b, i) => ({ from: b.from, to: b.to, all: b.regions, real: result.realizable?.histogram[i]?.regions ?? 0 }));

  // "global minimum" is inf L_f of the real network; the lowest subglobal minimum is only a lower bound and is marked as one.
  const marks = [['global minimum (inf L_f)', m?.global_minimum, 'global'], ['lowest subglobal', m?.lowest_subglobal, 'subglobal'],
    ...(m?.poor_realizable_levels ?? []).map(l => [`poor ${fmt(l)}`, l, 'poor']),
    ['linear region', m?.linear?.loss, 'linear'], ['dead region', m?.dead?.loss ?? result.dead_region_loss, 'dead']]
    .filter(([, loss]) => Number.isFinite(loss));

  const width = 640, left = 48, right = 12, plot = width - left - right, slot = plot / Math.max(bars.length, 1);
  const anchors = byLevel
    ? bars.map((b, i) => [b.from, left + slot * (i + 0.5)])
    : [...bars.map((b, i) => [b.from, left + slot * i]), [bars.at(-1)?.to ?? 0, left + plot]];
  const xOf = loss => {
    if (anchors.length === 1 || loss <= anchors[0][0]) return anchors[0][1];
    const k = anchors.findIndex(([l]) => l >= loss);
    if (k < 0) return anchors.at(-1)[1];
    const [l0, x0] = anchors[k - 1], [l1, x1] = anchors[k];
    return l1 === l0 ? x1 : x0 + (x1 - x0) * (loss - l0) / (l1 - l0);
  };

  // Marker labels go in rows above the bars, each in the first row where it does not overlap a neighbour.
  const rowEnds = [], placed = marks.map(([label, loss, kind]) => [label, xOf(loss), kind]).sort((a, b) => a[1] - b[1])
    .map(([label, x, kind]) => {
      const w = label.length * 7, start = Math.max(0, Math.min(x - w / 2, width - right - w));
      let r = rowEnds.findIndex(end => end < start - 4);
      if (r < 0) r = rowEnds.push(0) - 1;
      rowEnds[r] = start + w;
      return { label, x, kind, start, row: r };
    });
  const top = 10 + 13 * rowEnds.length, chart = 200, bottom = top + chart, height = bottom + (byLevel ? 76 : 56);
  const maxCount = Math.max(...bars.map(b => b.all), 1), step = niceStep(maxCount), yMax = Math.ceil(maxCount / step) * step;
  const y = count => bottom - chart * count / yMax;

  let s = `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="histogram of subglobal minima">`;
  for (let c = 0; c <= yMax; c += step) {
    s += `<line class="grid" x1="${left}" x2="${width - right}" y1="${y(c)}" y2="${y(c)}"/><text class="tick" x="${left - 5}" y="${y(c) + 4}" text-anchor="end">${c}</text>`;
  }
  const barWidth = Math.max(1, slot * 0.4);
  bars.forEach((b, i) => {
    const x = left + slot * (i + 0.5), range = byLevel ? `loss ${fmt(b.from)}` : `loss ${fmt(b.from)} to ${fmt(b.to)}`;
    s += `<rect class="all" x="${x - barWidth}" y="${y(b.all)}" width="${barWidth}" height="${bottom - y(b.all)}"><title>${range}: ${b.all} regions</title></rect>`;
    s += `<rect class="realizable" x="${x}" y="${y(b.real)}" width="${barWidth}" height="${bottom - y(b.real)}"><title>${range}: ${b.real} realizable</title></rect>`;
    if (byLevel) s += `<text class="tick" transform="translate(${x} ${bottom + 10}) rotate(-40)" text-anchor="end">${fmt(b.from)}</text>`;
  });
  if (!byLevel) {
    const every = Math.ceil(anchors.length / 8);
    anchors.forEach(([loss, x], k) => {
      if (k % every === 0 || k === anchors.length - 1) s += `<text class="tick" x="${x}" y="${bottom + 14}" text-anchor="middle">${fmt(loss)}</text>`;
    });
  }
  s += `<line class="axis" x1="${left}" x2="${width - right}" y1="${bottom}" y2="${bottom}"/>`;
  for (const p of placed) {
    const ly = 20 + 13 * p.row - 10;
    s += `<line class="mark ${p.kind}" x1="${p.x}" x2="${p.x}" y1="${ly + 3}" y2="${bottom}"/><text class="mark ${p.kind}" x="${p.start}" y="${ly}">${esc(p.label)}</text>`;
  }
  s += `<text class="label" x="${left + plot / 2}" y="${height - 22}" text-anchor="middle">subglobal-minimum loss ${byLevel ? '(one pair of bars per level)' : `(${bars.length} bins)`}</text>`;
  s += `<rect class="all" x="${left}" y="${height - 12}" width="10" height="10"/><text class="label" x="${left + 14}" y="${height - 3}">all regions</text>`;
  s += `<rect class="realizable" x="${left + 100}" y="${height - 12}" width="10" height="10"/><text class="label" x="${left + 114}" y="${height - 3}">realizable (real local minima)</text>`;
  $('histogram').innerHTML = `${s}</svg>`;
}

function summary(result) {
  const m = result.minima, real = result.realizable;
  const parts = [real ? `${real.count} realizable of ${result.count} regions` : `${result.count} regions (realizability not checked)`];
  if (m) {
    const g = result.global;
    if (g) parts.push(`global minimum inf L_f ${fmt(g.globalMinimum)} (${g.attainedAtBoundary ? 'only on a region boundary, below every differentiable minimum' : 'at a realizable minimum'})`);
    parts.push(`lowest subglobal ${fmt(m.lowest_subglobal)} (a lower bound; ${m.lowest_subglobal_realizable ? 'realizable' : `not realizable; lowest realizable ${fmt(m.lowest_realizable)}`})`);
    const poor = m.poor_realizable_levels ?? [], against = m.poor_reference === 'global_minimum' ? 'inf L_f' : 'the lowest realizable';
    parts.push(poor.length
      ? `${m.poor_realizable} poor realizable minima (above ${against}) at ${poor.length} level${poor.length === 1 ? '' : 's'}: ${poor.map(fmt).join(', ')}`
      : `no poor realizable minima (above ${against})`);
  }
  if (result.completed === false) parts.push(`incomplete: ${result.done} of ${result.rows} rows`);
  return parts.join(' · ');
}

async function showEnumeration(id, result) {
  $('summary').textContent = summary(result);
  histogram(result);
  $('downloads').replaceChildren('Download: ', el('a', { href: `api/runs/${id}/regions.csv`, download: '', textContent: 'regions.csv' }),
    ' · ', el('a', { href: `api/runs/${id}/result.json`, download: '', textContent: 'result.json' }));

  const page = await api(`api/runs/${id}/regions?realizable=true&limit=200`);
  $('minima-note').textContent = page.total > page.rows.length ? `the first ${page.rows.length} of ${page.total}` : `${page.total} realizable regions`;
  const withCells = page.rows.some(r => r.cells.length > 0);
  fillTable($('minima'), ['index', ...(withCells ? ['cells'] : []), 'loss', 'rank'], page.rows.map(r =>
    row([r.index, ...(withCells ? [r.cells.join(' ')] : []), fmt(r.loss), r.rank], { dataset: { row: r.row }, tabIndex: 0 })));

  let witnesses = null;
  const open = async target => {
    const tr = target.closest('tr[data-row]');
    if (!tr) return;
    witnesses ??= api(`api/runs/${id}/witnesses`);
    const witness = (await witnesses).find(w => w.row === +tr.dataset.row);
    if (witness) showWitness(witness);
    else say(`no witness network for row ${tr.dataset.row}`);
  };
  const report = error => { witnesses = null; say(error.message); };
  $('minima').onclick = event => open(event.target).catch(report);
  $('minima').onkeydown = event => { if (event.key === 'Enter') open(event.target).catch(report); };
}

// ---- witness network ----------------------------------------------------------------------------------------------

function showWitness(w) {
  const h = w.v.length, n = w.W[0]?.length ?? 0, bias = w.b !== undefined;
  $('witness-title').textContent = `Witness network of region ${w.index ?? w.row}`;
  const inputs = n === 1 ? ['w'] : Array.from({ length: n }, (_, k) => `w_j${k + 1}`);
  fillTable($('witness-weights'), ['node', ...inputs, ...(bias ? ['b'] : []), 'v'],
    w.W.map((weights, j) => row([`h${j + 1}`, ...weights.map(fmt), ...(bias ? [fmt(w.b[j])] : []), fmt(w.v[j])])));
  $('witness-scalars').textContent = `${bias ? `c = ${fmt(w.c)} · ` : ''}loss ${fmt(w.loss)} · margin ${fmt(w.margin)}`;

  // Edge width follows |weight| and colour its sign, so the shape of the network reads at a glance.
  const largest = Math.max(...w.W.flat().map(Math.abs), ...w.v.map(Math.abs), 1e-12);
  const height = 60 + 70 * Math.max(n, h), middle = 10 + height / 2, at = (count, i) => middle + 70 * (i - (count - 1) / 2);
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
  $('witness').showModal();
}

// ---- Figure 1 -----------------------------------------------------------------------------------------------------

function showCells(_, result) {
  $('cells-summary').textContent = `${result.cells_per_node} cells per node, ${result.nonempty_regions} nonempty regions of ${result.patterns} patterns`;
  const interior = result.bias ? 'interior point (w, b)' : 'interior point w';
  fillTable($('cells'), ['cell', 'column (point 1…N)', interior],
    result.cells.map((c, i) => row([i + 1, c.column, `(${c.interior.map(fmt).join(', ')})`])));
}

// ---- Figure 2 -----------------------------------------------------------------------------------------------------

// Viridis at nine stops: perceptually even, and readable in grey and by colour-blind readers.
const VIRIDIS = [[68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];
function colour(t) {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1), i = Math.min(Math.floor(x), VIRIDIS.length - 2), f = x - i;
  return VIRIDIS[i].map((a, k) => Math.round(a + (VIRIDIS[i + 1][k] - a) * f));
}

function showSlice(_, result) {
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

  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#333';
  g.strokeStyle = '#333';
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

  $('slice-note').textContent = `loss from ${fmt(min)} to ${fmt(max)} on a log-like colour scale; ${result.boundaries.length} activation boundaries dashed`;
}

// ---- start --------------------------------------------------------------------------------------------------------

async function main() {
  wireData();
  $('hidden').addEventListener('change', parameterNames);
  $('bias').addEventListener('change', parameterNames);
  $('dataset').addEventListener('change', chooseDataset);
  $('run').addEventListener('click', () => run().catch(error => { say(error.message); $('run').disabled = false; $('cancel').disabled = true; }));
  $('cancel').addEventListener('click', cancel);
  chooseDataset();
  data.datasets = await api('api/datasets');
  $('dataset').replaceChildren(...data.datasets.map(d => new Option(d.name, d.name)), new Option('custom', 'custom'));
  $('dataset').value = data.datasets.some(d => d.name === 'paper-fig3') ? 'paper-fig3' : data.datasets[0]?.name ?? 'custom';
  chooseDataset();
}

main().catch(error => say(error.message));
