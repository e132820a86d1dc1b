// The explorer talks only to the engine's HTTP API; every number it shows comes from a run's result document.
const $ = id => document.getElementById(id);
let points = [], targets = [], datasets = [], inputs = 2, active = [];

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

function parameterNames() {
  const h = +$('hidden').value, bias = $('bias').checked, names = [];
  for (let j = 1; j <= h; j++) for (let k = 1; k <= inputs; k++) names.push(inputs === 1 ? `w${j}` : `w${j}_${k}`);
  if (bias) for (let j = 1; j <= h; j++) names.push(`b${j}`);
  for (let j = 1; j <= h; j++) names.push(`v${j}`);
  if (bias) names.push('c');
  for (const [id, fallback] of [['slice-x', names[0]], ['slice-y', 'v1']]) {
    const select = $(id), keep = names.includes(select.value) ? select.value : fallback;
    select.innerHTML = names.map(n => `<option${n === keep ? ' selected' : ''}>${n}</option>`).join('');
  }
}

// Points live in data coordinates; the SVG's y axis points down, so y is drawn negated.
function drawPoints() {
  const svg = $('points');
  svg.innerHTML = '<line x1="-4" y1="0" x2="4" y2="0" stroke="#ccc" stroke-width=".02"/><line x1="0" y1="-4" x2="0" y2="4" stroke="#ccc" stroke-width=".02"/>' +
    points.map((p, i) => `<circle data-i="${i}" cx="${p[0]}" cy="${-(p[1] ?? 0)}" r=".15" fill="#3366cc"/><text x="${p[0] + .2}" y="${-(p[1] ?? 0) - .2}" font-size=".35">${i + 1}</text>`).join('');
  $('targets').innerHTML = '<tr><th>point</th><th>x</th><th>target y</th><th></th></tr>' + points.map((p, i) =>
    `<tr><td>${i + 1}</td><td>${p.map(v => v.toFixed(2)).join(', ')}</td><td><input data-i="${i}" type="number" step="0.1" value="${targets[i]}"></td><td><button data-remove="${i}">×</button></td></tr>`).join('');
}

function toCustom() { $('dataset').value = 'custom'; inputs = 2; parameterNames(); }

function svgPoint(event) {
  const svg = $('points'), p = svg.createSVGPoint();
  p.x = event.clientX; p.y = event.clientY;
  const q = p.matrixTransform(svg.getScreenCTM().inverse());
  return [Math.round(q.x * 100) / 100, Math.round(-q.y * 100) / 100];
}

function wirePoints() {
  const svg = $('points');
  let dragging = null, moved = false;
  svg.addEventListener('pointerdown', e => { if (e.target.dataset.i !== undefined) { dragging = +e.target.dataset.i; moved = false; } });
  svg.addEventListener('pointermove', e => {
    if (dragging === null || inputs !== 2) return;
    points[dragging] = svgPoint(e); moved = true; toCustom(); drawPoints();
  });
  svg.addEventListener('pointerup', e => {
    if (dragging === null && inputs === 2) { points.push(svgPoint(e)); targets.push(1); toCustom(); drawPoints(); }
    dragging = null;
  });
  $('targets').addEventListener('change', e => { targets[+e.target.dataset.i] = +e.target.value; toCustom(); });
  $('targets').addEventListener('click', e => {
    if (e.target.dataset.remove === undefined) return;
    const i = +e.target.dataset.remove; points.splice(i, 1); targets.splice(i, 1); toCustom(); drawPoints();
  });
}

function chooseDataset() {
  const d = datasets.find(x => x.name === $('dataset').value);
  if (!d) return;
  points = d.points.map(p => [...p]); targets = [...d.targets]; inputs = d.inputs;
  parameterNames(); drawPoints();
}

function dataFields() {
  const name = $('dataset').value;
  return name === 'custom' ? { points, targets } : { dataset: name };
}

// Starts a run and resolves with its result once the event stream reports a final state.
async function start(body) {
  const { id } = await api('api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  active.push(id);
  return new Promise((resolve, reject) => {
    const events = new EventSource(`api/runs/${id}/events`);
    events.addEventListener('progress', e => {
      const p = JSON.parse(e.data);
      $('progress').max = Math.max(p.total, 1); $('progress').value = p.done;
      $('phase').textContent = `${body.command}: ${p.phase} ${p.done}/${p.total}`;
    });
    events.addEventListener('state', async e => {
      const s = JSON.parse(e.data);
      if (s.state === 'done') { events.close(); resolve({ id, result: (await api(`api/runs/${id}`)).result }); }
      else if (s.state === 'failed' || s.state === 'cancelled') { events.close(); reject(new Error(`${body.command} ${s.state}${s.error ? ': ' + s.error : ''}`)); }
    });
  });
}

function histogram(result) {
  const m = result.minima, many = m.levels.length === 0 || m.levels.length > 40;
  const bars = many
    ? result.histogram.map((b, i) => ({ loss: (b.from + b.to) / 2, all: b.regions, real: result.realizable?.histogram[i].regions ?? 0 }))
    : m.levels.map(l => ({ loss: l.loss, all: l.regions, real: l.realizable }));
  const width = 520, height = 260, left = 40, bottom = 40, top = 30;
  const maxLoss = Math.max(result.dead_region_loss, 1e-12), maxCount = Math.max(...bars.map(b => b.all), 1);
  const x = loss => left + (width - left - 10) * loss / maxLoss, y = c => height - bottom - (height - bottom - top) * c / maxCount;
  const w = Math.max(3, (width - left) / Math.max(bars.length, 1) / 3);
  let svg = `<svg width="${width}" height="${height}" font-size="11">`;
  for (const b of bars) {
    svg += `<rect x="${x(b.loss) - w}" y="${y(b.all)}" width="${w}" height="${height - bottom - y(b.all)}" fill="#9db4e0"><title>loss ${b.loss.toFixed(4)}: ${b.all} regions</title></rect>`;
    svg += `<rect x="${x(b.loss)}" y="${y(b.real)}" width="${w}" height="${height - bottom - y(b.real)}" fill="#d9534f"><title>loss ${b.loss.toFixed(4)}: ${b.real} realizable</title></rect>`;
  }
  const marks = [['global', m.global, '#2a7d2a'], ['linear', m.linear.loss, '#8a5a00'], ['dead', m.dead.loss, '#555'],
    ...m.poor_realizable_levels.map(l => ['poor', l, '#d9534f'])];
  marks.forEach(([label, loss, colour], k) => {
    if (loss === null || loss === undefined) return;
    svg += `<line x1="${x(loss)}" x2="${x(loss)}" y1="${top - 8}" y2="${height - bottom}" stroke="${colour}" stroke-dasharray="3 2"/>` +
      `<text x="${x(loss) + 2}" y="${top - 10 + (k % 3) * 10}" fill="${colour}">${label}</text>`;
  });
  svg += `<line x1="${left}" x2="${width - 10}" y1="${height - bottom}" y2="${height - bottom}" stroke="#333"/>`;
  for (let t = 0; t <= 4; t++) svg += `<text x="${x(maxLoss * t / 4)}" y="${height - bottom + 14}" text-anchor="middle">${(maxLoss * t / 4).toFixed(2)}</text>`;
  svg += `<text x="${width / 2}" y="${height - 6}" text-anchor="middle">subglobal-minimum loss (blue: all regions, red: realizable)</text></svg>`;
  $('histogram').innerHTML = svg;
}

async function showEnumeration({ id, result }) {
  const m = result.minima, real = result.realizable;
  $('summary').textContent = `${real.count} realizable of ${result.count} regions; global minimum ${m.global?.toFixed(4)} ` +
    `(${m.global_realizable ? 'realizable' : 'not realizable'}); poor realizable minima: ${m.poor_realizable_levels.map(l => l.toFixed(4)).join(', ') || 'none'}`;
  histogram(result);
  $('downloads').innerHTML = `<a href="api/runs/${id}/regions.csv" download>regions.csv</a> · <a href="api/runs/${id}/result.json" download>result.json</a>`;
  const rows = (await api(`api/runs/${id}/regions?realizable=true&limit=200`)).rows;
  const witnesses = await api(`api/runs/${id}/witnesses`);
  $('minima').innerHTML = '<tr><th>index</th><th>cells</th><th>loss</th><th>rank</th></tr>' + rows.map(r =>
    `<tr data-row="${r.row}"><td>${r.index}</td><td>${r.cells.map(c => c + 1).join(' ')}</td><td>${r.loss.toFixed(6)}</td><td>${r.rank}</td></tr>`).join('');
  $('minima').onclick = e => {
    const tr = e.target.closest('tr[data-row]');
    const w = tr && witnesses.find(x => x.row === +tr.dataset.row);
    if (w) showWitness(w);
  };
}

function showWitness(w) {
  $('witness-text').textContent = JSON.stringify(w, null, 1);
  const h = w.v.length, n = w.W[0].length, svg = $('network');
  const pos = (count, i, x) => [x, 20 + 180 * (i + 0.5) / count];
  let s = '';
  for (let j = 0; j < h; j++) {
    const [xh, yh] = pos(h, j, 180);
    for (let k = 0; k < n; k++) { const [xi, yi] = pos(n, k, 30); s += `<line x1="${xi}" y1="${yi}" x2="${xh}" y2="${yh}" stroke="#999"/><text x="${(xi + xh) / 2}" y="${(yi + yh) / 2 - 2}" font-size="10">${w.W[j][k].toFixed(2)}</text>`; }
    s += `<line x1="${xh}" y1="${yh}" x2="330" y2="110" stroke="#999"/><text x="${(xh + 330) / 2}" y="${(yh + 110) / 2 - 2}" font-size="10">${w.v[j].toFixed(2)}</text><circle cx="${xh}" cy="${yh}" r="9" fill="#fc9"/><text x="${xh - 9}" y="${yh + 22}" font-size="9">ReLU</text>`;
  }
  for (let k = 0; k < n; k++) { const [xi, yi] = pos(n, k, 30); s += `<circle cx="${xi}" cy="${yi}" r="9" fill="#9cf"/>`; }
  svg.innerHTML = s + '<circle cx="330" cy="110" r="9" fill="#9c9"/>';
  $('witness').showModal();
}

function showCells(result) {
  $('cells-summary').textContent = `${result.cells_per_node} cells per node; ${result.nonempty_regions} nonempty regions of ${result.patterns} activation patterns`;
  $('cells').innerHTML = '<tr><th>cell</th><th>column a·j</th><th>interior point</th></tr>' + result.cells.slice(0, 64).map((c, i) =>
    `<tr><td>${i + 1}</td><td>${c.column}</td><td>(${c.interior.map(v => v.toFixed(3)).join(', ')})</td></tr>`).join('');
}

// Log-scaled heatmap, since losses span orders of magnitude across a slice.
function showSlice(result) {
  const canvas = $('slice'), g = canvas.getContext('2d'), rows = result.ys.length, cols = result.xs.length;
  const lo = Math.log10(result.min + 1e-12), hi = Math.log10(result.max + 1e-12), image = g.createImageData(cols, rows);
  result.loss.forEach((row, r) => row.forEach((v, c) => {
    const t = hi > lo ? (Math.log10(v + 1e-12) - lo) / (hi - lo) : 0, k = 4 * ((rows - 1 - r) * cols + c);
    image.data.set([255 * t, 80 + 120 * (1 - Math.abs(2 * t - 1)), 255 * (1 - t), 255], k);
  }));
  const off = new OffscreenCanvas(cols, rows);
  off.getContext('2d').putImageData(image, 0, 0);
  g.imageSmoothingEnabled = false;
  g.drawImage(off, 0, 0, canvas.width, canvas.height);
  const [x0, x1, y0, y1] = [result.xs[0], result.xs[cols - 1], result.ys[0], result.ys[rows - 1]];
  const px = x => (x - x0) / (x1 - x0) * canvas.width, py = y => canvas.height - (y - y0) / (y1 - y0) * canvas.height;
  g.setLineDash([6, 4]); g.strokeStyle = '#fff'; g.lineWidth = 1.5;
  for (const { a, b, c } of result.boundaries) {
    g.beginPath();
    if (Math.abs(c) > Math.abs(b)) { g.moveTo(px(x0), py(-(a + b * x0) / c)); g.lineTo(px(x1), py(-(a + b * x1) / c)); }
    else { g.moveTo(px(-(a + c * y0) / b), py(y0)); g.lineTo(px(-(a + c * y1) / b), py(y1)); }
    g.stroke();
  }
  $('slice-scale').textContent = `${result.x} →, ${result.y} ↑; colour: log10 L_f from ${result.min.toPrecision(3)} (blue) to ${result.max.toPrecision(3)} (red)`;
}

async function run() {
  $('message').textContent = ''; $('run').disabled = true; $('cancel').disabled = false; active = [];
  const common = { ...dataFields(), hidden: +$('hidden').value, bias: $('bias').checked };
  const jobs = [
    start({ command: 'enumerate', ...common, realizable: true, keep: true, witnesses: true, bins: +$('bins').value, nonempty: $('nonempty').checked, unordered: false }).then(showEnumeration),
    start({ command: 'regions', ...common }).then(r => showCells(r.result)),
  ];
  if (inputs <= 2) jobs.push(start({ command: 'slice', ...common, x: $('slice-x').value, y: $('slice-y').value, grid: 121, range: [-3, 3] }).then(r => showSlice(r.result)));
  const outcomes = await Promise.allSettled(jobs);
  const failed = outcomes.filter(o => o.status === 'rejected').map(o => o.reason.message);
  $('message').textContent = failed.join('; ');
  $('run').disabled = false; $('cancel').disabled = true; $('phase').textContent = failed.length ? '' : 'done';
}

async function main() {
  wirePoints();
  datasets = await api('api/datasets');
  $('dataset').innerHTML = datasets.map(d => `<option value="${d.name}">${d.name}</option>`).join('') + '<option value="custom">custom points</option>';
  $('dataset').value = 'paper-fig3';
  chooseDataset();
  $('dataset').addEventListener('change', chooseDataset);
  $('hidden').addEventListener('change', parameterNames);
  $('bias').addEventListener('change', parameterNames);
  $('run').addEventListener('click', () => run().catch(e => { $('message').textContent = e.message; $('run').disabled = false; }));
  $('cancel').addEventListener('click', () => active.forEach(id => fetch(`api/runs/${id}`, { method: 'DELETE' })));
}

main().catch(e => { $('message').textContent = e.message; });
