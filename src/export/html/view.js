// newsgraph HTML view: a seeded force-directed layout and an SVG renderer,
// with search, type/predicate filters, zoom/pan and an evidence panel.
// No library, no network. Article text only ever enters the page through
// textContent / text nodes.
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var $ = function (id) { return document.getElementById(id); };
  var violations = [];
  document.addEventListener('securitypolicyviolation', function (e) {
    violations.push(e.violatedDirective + ' ' + e.blockedURI);
  });

  var data = JSON.parse($('newsgraph-data').textContent);
  var nodes = data.nodes, edges = data.edges;
  var byId = {}, colors = {};
  data.types.forEach(function (t) { colors[t.type] = t.color; });
  nodes.forEach(function (n, i) { n.index = i; n.deg = 0; n.edges = []; byId[n.id] = n; });
  edges.forEach(function (e) {
    e.s = byId[e.source]; e.t = byId[e.target];
    e.s.deg++; e.t.deg++; e.s.edges.push(e); if (e.t !== e.s) e.t.edges.push(e);
  });
  nodes.forEach(function (n) { n.r = 5 + Math.min(9, 1.6 * Math.sqrt(n.deg + n.mentions.length)); });

  // ---- layout: Fruchterman-Reingold with gravity, from a fixed seed ----
  function mulberry32(a) {
    return function () {
      a = (a + 0x6D2B79F5) | 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  // Connected nodes get a force layout; isolated nodes (values and
  // entities with no relation) are set out in rows below it, by type, so
  // they neither crowd the relations nor drift away.
  function layout() {
    var rand = mulberry32(0x5eed);
    var live = nodes.filter(function (v) { return v.deg > 0; });
    var n = live.length, k = 45, i, j;
    var pos = {};
    live.forEach(function (v, i) { pos[v.id] = i; });
    var x = new Float64Array(n), y = new Float64Array(n);
    for (i = 0; i < n; i++) {
      var rad = k * Math.sqrt(i + 0.5), ang = i * 2.399963229728653;
      x[i] = rad * Math.cos(ang) + rand() * 10; y[i] = rad * Math.sin(ang) + rand() * 10;
    }
    var links = edges.map(function (e) { return [pos[e.s.id], pos[e.t.id]]; });
    var iters = n > 2000 ? 60 : n > 600 ? 150 : 400;
    var temp = k * Math.sqrt(n + 1), cool = Math.pow(0.5 / temp, 1 / iters);
    var dx = new Float64Array(n), dy = new Float64Array(n), cutoff = 36 * k * k;
    for (var it = 0; it < iters; it++) {
      dx.fill(0); dy.fill(0);
      for (i = 0; i < n; i++) {
        for (j = i + 1; j < n; j++) {
          var ex = x[i] - x[j], ey = y[i] - y[j], d2 = ex * ex + ey * ey + 0.01;
          if (d2 > cutoff) continue;
          var f = k * k / d2;
          dx[i] += ex * f; dy[i] += ey * f; dx[j] -= ex * f; dy[j] -= ey * f;
        }
      }
      for (var m = 0; m < links.length; m++) {
        var s = links[m][0], t = links[m][1];
        if (s === t) continue;
        var ax = x[s] - x[t], ay = y[s] - y[t], d = Math.sqrt(ax * ax + ay * ay) + 0.01;
        var g = d / k;
        dx[s] -= ax * g; dy[s] -= ay * g; dx[t] += ax * g; dy[t] += ay * g;
      }
      for (i = 0; i < n; i++) {
        dx[i] -= x[i] * 0.06; dy[i] -= y[i] * 0.06;
        var len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
        if (len > 0) {
          var step = Math.min(len, temp) / len;
          x[i] += dx[i] * step; y[i] += dy[i] * step;
        }
      }
      temp *= cool;
    }
    var x0 = 0, x1 = 0, y1 = 0;
    live.forEach(function (v, i) {
      v.x = x[i]; v.y = y[i];
      x0 = Math.min(x0, v.x); x1 = Math.max(x1, v.x); y1 = Math.max(y1, v.y);
    });
    var rest = [];
    data.types.forEach(function (t) {
      nodes.forEach(function (v) { if (!v.deg && v.type === t.type) rest.push(v); });
    });
    var cols = Math.max(4, Math.ceil(Math.max(x1 - x0 + 200, Math.sqrt(rest.length) * 120) / 120));
    var row = 0, col = 0, prev = null, top = y1 + (n ? 90 : 0);
    rest.forEach(function (v) {
      if (prev !== null && v.type !== prev) { row += col ? 1 : 0; col = 0; top += 14; }
      if (col === cols) { row++; col = 0; }
      v.x = x0 - 40 + col * 120; v.y = top + row * 34;
      col++; prev = v.type;
    });
  }
  layout();

  // ---- rendering ----
  var svg = $('graph'), viewport = $('viewport'), gEdges = $('edges'), gNodes = $('nodes');
  function el(tag, attrs, parent) {
    var e = document.createElementNS(SVGNS, tag);
    for (var a in attrs) e.setAttribute(a, attrs[a]);
    if (parent) parent.appendChild(e);
    return e;
  }
  var defs = el('defs', {}, null);
  svg.insertBefore(defs, svg.firstChild);
  var marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }, defs);
  el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#999' }, marker);

  var pairCount = {};
  edges.forEach(function (e) {
    var key = e.s.index < e.t.index ? e.s.index + ':' + e.t.index : e.t.index + ':' + e.s.index;
    e.rank = pairCount[key] = (pairCount[key] || 0) + 1;
    var g = el('g', { 'class': 'edge', 'data-id': e.id }, gEdges);
    var ax = e.t.x - e.s.x, ay = e.t.y - e.s.y, d = Math.sqrt(ax * ax + ay * ay) || 1;
    var x1 = e.s.x + ax / d * e.s.r, y1 = e.s.y + ay / d * e.s.r;
    var x2 = e.t.x - ax / d * (e.t.r + 2), y2 = e.t.y - ay / d * (e.t.r + 2);
    el('line', { x1: x1, y1: y1, x2: x2, y2: y2, 'marker-end': 'url(#arrow)' }, g);
    el('line', { 'class': 'hit', x1: x1, y1: y1, x2: x2, y2: y2 }, g);
    var label = el('text', { x: (e.s.x + e.t.x) / 2, y: (e.s.y + e.t.y) / 2 + (e.rank - 1) * 11 - 3 }, g);
    label.textContent = e.label;
    g.addEventListener('click', function (ev) { ev.stopPropagation(); showEdge(e); });
    e.el = g;
  });
  nodes.forEach(function (n) {
    var g = el('g', { 'class': 'node', 'data-id': n.id, transform: 'translate(' + n.x + ',' + n.y + ')' }, gNodes);
    el('circle', { r: n.r, fill: colors[n.type] || '#999' }, g);
    var t = el('text', { x: n.r + 3, dy: '0.35em' }, g);
    t.textContent = n.label;
    var title = el('title', {}, g);
    title.textContent = n.type + ': ' + n.name;
    g.addEventListener('click', function (ev) { ev.stopPropagation(); showNode(n); });
    n.el = g;
  });

  // ---- zoom and pan ----
  var view = { s: 1, tx: 0, ty: 0 };
  function apply() { viewport.setAttribute('transform', 'translate(' + view.tx + ',' + view.ty + ') scale(' + view.s + ')'); }
  function size() { var r = svg.getBoundingClientRect(); return { w: r.width || 800, h: r.height || 600 }; }
  function zoomAt(f, mx, my) {
    var s = Math.max(0.05, Math.min(20, view.s * f));
    f = s / view.s;
    view.tx = mx - (mx - view.tx) * f; view.ty = my - (my - view.ty) * f; view.s = s;
    apply();
  }
  function fit(list) {
    list = (list || nodes).filter(visible);
    if (!list.length) return;
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    list.forEach(function (n) {
      x0 = Math.min(x0, n.x - n.r); y0 = Math.min(y0, n.y - n.r);
      x1 = Math.max(x1, n.x + n.r + 60); y1 = Math.max(y1, n.y + n.r);
    });
    var sz = size(), pad = 40;
    var s = Math.min((sz.w - pad) / Math.max(x1 - x0, 1), (sz.h - pad) / Math.max(y1 - y0, 1), 2.5);
    view.s = s; view.tx = sz.w / 2 - s * (x0 + x1) / 2; view.ty = sz.h / 2 - s * (y0 + y1) / 2;
    apply();
  }
  svg.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener('pointerdown', function (ev) {
    if (ev.target.closest && (ev.target.closest('.node') || ev.target.closest('.edge'))) return;
    drag = { x: ev.clientX, y: ev.clientY, tx: view.tx, ty: view.ty, moved: false };
    svg.classList.add('dragging');
  });
  window.addEventListener('pointermove', function (ev) {
    if (!drag) return;
    view.tx = drag.tx + ev.clientX - drag.x; view.ty = drag.ty + ev.clientY - drag.y;
    if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) drag.moved = true;
    apply();
  });
  window.addEventListener('pointerup', function () { drag = null; svg.classList.remove('dragging'); });
  $('zoom-in').addEventListener('click', function () { var s = size(); zoomAt(1.3, s.w / 2, s.h / 2); });
  $('zoom-out').addEventListener('click', function () { var s = size(); zoomAt(1 / 1.3, s.w / 2, s.h / 2); });
  $('zoom-fit').addEventListener('click', function () { fit(); });

  // ---- filters and legend ----
  var hiddenTypes = {}, hiddenPreds = {};
  function visible(n) { return !hiddenTypes[n.type]; }
  function edgeVisible(e) { return !hiddenPreds[e.predicate] && visible(e.s) && visible(e.t); }
  function refresh() {
    nodes.forEach(function (n) { n.el.style.display = visible(n) ? '' : 'none'; });
    edges.forEach(function (e) { e.el.style.display = edgeVisible(e) ? '' : 'none'; });
    runSearch($('search').value);
  }
  function checkbox(parent, text, count, color, onChange) {
    var label = document.createElement('label');
    var box = document.createElement('input');
    box.type = 'checkbox'; box.checked = true;
    box.addEventListener('change', function () { onChange(box.checked); refresh(); });
    label.appendChild(box);
    if (color) {
      var sw = document.createElement('span');
      sw.className = 'swatch'; sw.style.background = color;
      label.appendChild(sw);
    }
    label.appendChild(document.createTextNode(text));
    var c = document.createElement('span');
    c.className = 'count'; c.textContent = String(count);
    label.appendChild(c);
    parent.appendChild(label);
  }
  data.types.forEach(function (t) {
    checkbox($('legend'), t.type, t.count, t.color, function (on) { hiddenTypes[t.type] = !on; });
  });
  data.predicates.forEach(function (p) {
    checkbox($('predicates'), p.predicate, p.count, null, function (on) { hiddenPreds[p.predicate] = !on; });
  });

  // ---- search ----
  function matchesQuery(n, q) {
    var fields = [n.name, n.label, n.id].concat(n.aliases || [], n.text || []);
    return fields.some(function (f) { return String(f).toLowerCase().indexOf(q) >= 0; });
  }
  function runSearch(text) {
    var q = String(text || '').trim().toLowerCase();
    var found = [];
    nodes.forEach(function (n) {
      var hit = q !== '' && visible(n) && matchesQuery(n, q);
      n.el.classList.toggle('match', hit);
      if (hit) found.push(n);
    });
    svg.classList.toggle('searching', q !== '');
    $('search-status').textContent = q === '' ? '' : found.length + (found.length === 1 ? ' match' : ' matches');
    return found;
  }
  function search(text) {
    var found = runSearch(text);
    if (found.length === 1) {
      var sz = size();
      view.tx = sz.w / 2 - view.s * found[0].x; view.ty = sz.h / 2 - view.s * found[0].y; apply();
    } else if (found.length > 1) {
      fit(found);
    }
    return found;
  }
  $('search').addEventListener('input', function () { search(this.value); });
  $('search').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { var f = search(this.value); if (f.length) showNode(f[0]); }
  });

  // ---- side panel ----
  var panel = $('panel'), body = $('panel-body');
  $('panel-close').addEventListener('click', function () { panel.hidden = true; select(null); });
  svg.addEventListener('click', function (ev) { if (ev.target === svg) { panel.hidden = true; select(null); } });
  function h(tag, text, cls, parent) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    (parent || body).appendChild(e);
    return e;
  }
  function select(item) {
    document.querySelectorAll('.selected').forEach(function (e) { e.classList.remove('selected'); });
    if (item) item.el.classList.add('selected');
  }
  function dl(pairs) {
    var list = h('dl');
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === '' || (Array.isArray(p[1]) && !p[1].length)) return;
      h('dt', p[0], null, list);
      h('dd', Array.isArray(p[1]) ? p[1].join('; ') : p[1], null, list);
    });
  }
  function link(n, parent) {
    var a = h('a', n.label, null, parent);
    a.href = '#'; a.addEventListener('click', function (ev) { ev.preventDefault(); showNode(n); });
    return a;
  }
  // The sentence with its marks (character offsets) as <mark> elements:
  // the text is cut into code points and inserted as text nodes.
  function sentence(ev, parent, only) {
    var chars = Array.from(ev.text), pos = 0, p = h('div', null, 'sentence', parent);
    ev.marks.forEach(function (m) {
      if (only && m[2] !== only) return;
      if (m[0] < pos || m[1] > chars.length) return;
      p.appendChild(document.createTextNode(chars.slice(pos, m[0]).join('')));
      h('mark', chars.slice(m[0], m[1]).join(''), m[2], p);
      pos = m[1];
    });
    p.appendChild(document.createTextNode(chars.slice(pos).join('')));
  }
  function evidenceBox(e, ev, only) {
    var box = h('div', null, 'evidence');
    var meta = h('div', null, 'meta', box);
    link(e.s, meta);
    var rel = h('a', ' —' + e.label + '→ ', null, meta);
    rel.href = '#'; rel.addEventListener('click', function (x) { x.preventDefault(); showEdge(e); });
    link(e.t, meta);
    h('span', ' · ' + ev.doc + ' [' + ev.start + '–' + ev.end + ']', null, meta);
    sentence(ev, box, only);
  }
  function open(title, type) {
    while (body.firstChild) body.removeChild(body.firstChild);
    h('h3', title);
    if (type) { var b = h('span', type, 'type'); b.style.background = colors[type] || '#999'; }
    panel.hidden = false;
  }
  function showNode(n) {
    select(n);
    open(n.name, n.type);
    dl([['id', n.id], ['aliases', n.aliases], ['value', n.value], ['currency', n.currency], ['unit', n.unit],
      ['approx', n.approx ? 'yes' : null], ['written', n.text]]);
    var folded = Object.keys(n.folded || {});
    if (folded.length) dl(folded.map(function (k) { return [k, n.folded[k]]; }));
    h('h4', 'Relations and evidence (' + n.edges.length + ')');
    n.edges.forEach(function (e) {
      e.evidence.forEach(function (ev) { evidenceBox(e, ev, null); });
    });
    var more = h('details');
    more.open = n.mentions.length <= 6;
    h('summary', 'Mentions (' + n.mentions.length + ')', null, more);
    n.mentions.forEach(function (m) {
      h('div', m.text + ' · ' + m.doc + ' [' + m.start + '–' + m.end + '] · ' + m.rule, 'mention', more);
    });
  }
  function showEdge(e) {
    select(e);
    open(e.label, null);
    var p = h('div');
    link(e.s, p); h('span', ' —' + e.predicate + '→ ', null, p); link(e.t, p);
    var q = Object.keys(e.qualifiers).map(function (k) { return [k, e.qualifiers[k]]; });
    dl(q.concat([['rule', e.rule], ['id', e.id]]));
    h('h4', 'Evidence (' + e.evidence.length + ')');
    e.evidence.forEach(function (ev) { evidenceBox(e, ev, null); });
  }

  fit();
  window.addEventListener('resize', function () { fit(); });
  // #node=<id> opens a node's panel: links into the view can be shared.
  var hash = location.hash.match(/^#node=(.*)$/);
  if (hash && byId[decodeURIComponent(hash[1])]) showNode(byId[decodeURIComponent(hash[1])]);

  // ---- self-test hook (used by the test suite: ?selftest[&q=...]) ----
  window.newsgraphSelfTest = function (q) {
    var r = { nodes_in_data: nodes.length, edges_in_data: edges.length };
    r.nodes_drawn = document.querySelectorAll('#nodes g.node').length;
    r.edges_drawn = document.querySelectorAll('#edges g.edge').length;
    r.positions_finite = nodes.every(function (n) { return isFinite(n.x) && isFinite(n.y); });
    r.query = q;
    var found = search(q);
    r.search_matches = found.map(function (n) { return n.id; });
    if (found.length) {
      found[0].el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      r.node_panel_visible = !panel.hidden;
      r.node_panel_text = body.textContent;
      r.node_panel_marks = body.querySelectorAll('mark').length;
      r.node_panel_evidence = body.querySelectorAll('.evidence').length;
    }
    if (edges.length) {
      edges[0].el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      r.edge_panel_marks = body.querySelectorAll('mark').length;
      r.edge_panel_evidence = body.querySelectorAll('.evidence').length;
    }
    r.resources = performance.getEntriesByType('resource').length;
    r.csp_violations = violations.slice();
    r.scripts = document.scripts.length;
    r.injected = document.querySelectorAll('img, iframe, object, embed, #xss').length;
    r.xss = !!window.__xss;
    return r;
  };
  if (/[?&]selftest\b/.test(location.search)) {
    setTimeout(function () {
      var m = location.search.match(/[?&]q=([^&]*)/);
      var result = window.newsgraphSelfTest(m ? decodeURIComponent(m[1]) : '王堅');
      var pre = $('selftest-result');
      pre.textContent = JSON.stringify(result);
      pre.hidden = false;
    }, 50);
  }
})();
