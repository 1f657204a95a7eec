// The report's embedding explorer: a canvas scatter plot of the analysed
// model's test-set encoding with a card showing the garment under the
// pointer. It reads window.fmnistExplorerData (written by explorer.go) and
// the sprite image #ex-sprite, needs no network and exposes
// window.fmnistExplorer for the report's browser test.
//
// Keep "less than" comparisons spaced (a < b): the report's tests parse the
// page's tags with a regular expression.
(function () {
  "use strict";
  var D = window.fmnistExplorerData;
  var root = document.getElementById("ex-root");
  if (!D || !root) {
    return;
  }
  var $ = function (id) { return document.getElementById(id); };
  var canvas = $("ex-canvas"), ctx = canvas.getContext("2d");
  var card = $("ex-card"), cardImage = $("ex-card-image"), cardText = $("ex-card-text");
  var legend = $("ex-legend"), colourSelect = $("ex-colour"), wrongBox = $("ex-wrong");
  var sprite = $("ex-sprite");
  var N = D.n;
  $("ex-nojs").hidden = true;

  var wrong = new Uint8Array(N), nWrong = 0;
  if (D.predicted && D.labels) {
    for (var i = 0; i !== N; i++) {
      if (D.predicted[i] !== D.labels[i]) {
        wrong[i] = 1;
        nWrong++;
      }
    }
  } else {
    wrongBox.disabled = true;
    wrongBox.parentNode.title = "No predictions: misclassified points are unknown";
  }

  // Members of each group of each colouring.
  var members = D.colourings.map(function (c) {
    var lists = c.groups.map(function () { return []; });
    for (var i = 0; i !== N; i++) {
      lists[c.of[i]].push(i);
    }
    return lists.map(function (l) { return Int32Array.from(l); });
  });

  var st = {
    proj: 0, colour: 0, wrongOnly: false, highlight: -1,
    current: -1, pinned: false, k: 1, tx: 0, ty: 0, lastDraw: 0, imageShown: false
  };
  var W = 0, H = 0, dpr = 1;
  var fitScale = 1, cx = 0, cy = 0; // data centre and scale that fit the view
  var sx = new Float32Array(N), sy = new Float32Array(N); // screen positions (CSS px in the canvas)
  var pending = false;

  function fit() {
    var xy = D.projections[st.proj].xy;
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (var i = 0; i !== N; i++) {
      var x = xy[2 * i], y = xy[2 * i + 1];
      x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    var m = 14;
    fitScale = Math.min((W - 2 * m) / Math.max(x1 - x0, 1e-9), (H - 2 * m) / Math.max(y1 - y0, 1e-9));
    if (!(fitScale > 0) || !isFinite(fitScale)) {
      fitScale = 1;
    }
    cx = (x0 + x1) / 2;
    cy = (y0 + y1) / 2;
  }

  function visible(i) {
    return !st.wrongOnly || wrong[i] === 1;
  }

  function positions() {
    var xy = D.projections[st.proj].xy, f = fitScale * st.k;
    var ox = W / 2 - cx * f + st.tx, oy = H / 2 + cy * f + st.ty;
    for (var i = 0; i !== N; i++) {
      sx[i] = ox + xy[2 * i] * f;
      sy[i] = oy - xy[2 * i + 1] * f;
    }
  }

  // draw repaints the plot and returns the time it took in milliseconds.
  function draw() {
    var t0 = performance.now();
    pending = false;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    positions();
    var c = D.colourings[st.colour], lists = members[st.colour];
    var r = Math.min(6, 2.2 + Math.log2(st.k) * 0.6);
    if (!(r > 1.5)) {
      r = 1.5;
    }
    var order = [];
    for (var g = 0; g !== lists.length; g++) {
      if (g !== st.highlight) {
        order.push(g);
      }
    }
    if (st.highlight >= 0) {
      order.push(st.highlight);
    }
    var tau = 2 * Math.PI;
    for (var o = 0; o !== order.length; o++) {
      var gi = order[o], list = lists[gi];
      ctx.globalAlpha = st.highlight === -1 || st.highlight === gi ? 0.8 : 0.08;
      ctx.fillStyle = c.groups[gi].colour;
      ctx.beginPath();
      for (var j = 0; j !== list.length; j++) {
        var p = list[j], x = sx[p], y = sy[p];
        if (x < -r || y < -r || x > W + r || y > H + r || !visible(p)) {
          continue;
        }
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, tau);
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (st.current >= 0) {
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#000";
      ctx.beginPath();
      ctx.arc(sx[st.current], sy[st.current], r + 4, 0, tau);
      ctx.stroke();
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(sx[st.current], sy[st.current], r + 5.5, 0, tau);
      ctx.stroke();
    }
    if (st.current >= 0 && !card.hidden) {
      placeCard();
    }
    st.lastDraw = performance.now() - t0;
    return st.lastDraw;
  }

  function schedule() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(draw);
    }
  }

  function resize() {
    var w = canvas.clientWidth, h = canvas.clientHeight;
    if (w === 0 || h === 0) {
      return;
    }
    var first = W === 0;
    W = w;
    H = h;
    dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    fit();
    if (first) {
      st.k = 1; st.tx = 0; st.ty = 0;
    }
    draw();
  }

  // nearest returns the visible point closest to (x, y) within radius px,
  // or -1.
  function nearest(x, y, radius) {
    var best = -1, bd = radius * radius;
    for (var i = 0; i !== N; i++) {
      if (!visible(i)) {
        continue;
      }
      var dx = sx[i] - x, dy = sy[i] - y, d = dx * dx + dy * dy;
      if (d <= bd) {
        bd = d;
        best = i;
      }
    }
    return best;
  }

  function groupName(ci, i) {
    var c = D.colourings[ci];
    return c.groups[c.of[i]].name;
  }

  function labelName(l) {
    var n = D.labelNames && D.labelNames[l];
    return n ? l + " " + n : String(l);
  }

  function addRow(term, value, cls) {
    var dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    if (cls) {
      dd.className = cls;
    }
    cardText.appendChild(dt);
    cardText.appendChild(dd);
  }

  function drawImage(i) {
    st.imageShown = false;
    if (!D.sprite || !sprite) {
      cardImage.hidden = true;
      return;
    }
    var ic = cardImage.getContext("2d"), t = D.sprite.tile;
    ic.imageSmoothingEnabled = false;
    ic.fillStyle = "#fff";
    ic.fillRect(0, 0, t, t);
    if (sprite.complete && sprite.naturalWidth > 0) {
      ic.drawImage(sprite, (i % D.sprite.cols) * t, Math.floor(i / D.sprite.cols) * t, t, t, 0, 0, t, t);
      st.imageShown = true;
    }
  }

  function showCard(i, pinned) {
    st.current = i;
    st.pinned = pinned;
    cardText.textContent = "";
    drawImage(i);
    addRow("Test image", "#" + i);
    if (D.labels) {
      addRow("Label", labelName(D.labels[i]));
    }
    if (D.original) {
      addRow("Original class", D.classNames[D.original[i]]);
    }
    if (D.predicted) {
      addRow("Predicted", labelName(D.predicted[i]) + " (p = " + D.prob[i].toFixed(3) + ")", wrong[i] ? "wrong" : "");
    }
    D.colourings.forEach(function (c, ci) {
      if (c.key !== "label" && c.key !== "original" && c.key !== "predicted") {
        addRow(c.name, groupName(ci, i));
      }
    });
    card.hidden = false;
    card.classList.toggle("pinned", pinned);
    draw();
  }

  function placeCard() {
    var i = st.current, cw = card.offsetWidth, ch = card.offsetHeight, gap = 14;
    var x = sx[i] + gap, y = sy[i] + gap;
    if (x + cw > W) {
      x = sx[i] - gap - cw;
    }
    if (y + ch > H) {
      y = sy[i] - gap - ch;
    }
    card.style.left = Math.max(0, Math.min(x, W - cw)) + "px";
    card.style.top = Math.max(0, y) + "px";
  }

  function closeCard() {
    card.hidden = true;
    st.current = -1;
    st.pinned = false;
    st.imageShown = false;
    draw();
  }

  function zoomAt(mx, my, factor) {
    var k = Math.max(0.5, Math.min(400, st.k * factor));
    var f = k / st.k;
    st.tx = mx - W / 2 - (mx - W / 2 - st.tx) * f;
    st.ty = my - H / 2 - (my - H / 2 - st.ty) * f;
    st.k = k;
    schedule();
  }

  function resetView() {
    st.k = 1; st.tx = 0; st.ty = 0;
    schedule();
  }

  // Keep point i in view after a keyboard move.
  function reveal(i) {
    positions();
    var m = 30, dx = 0, dy = 0;
    if (sx[i] < m) { dx = m - sx[i]; }
    if (sx[i] > W - m) { dx = W - m - sx[i]; }
    if (sy[i] < m) { dy = m - sy[i]; }
    if (sy[i] > H - m) { dy = H - m - sy[i]; }
    st.tx += dx;
    st.ty += dy;
  }

  // step moves from the current point to the nearest visible one in the
  // direction (dx, dy), within 45 degrees of it.
  function step(dx, dy) {
    var p = st.current;
    if (p < 0) {
      return;
    }
    var best = -1, bs = Infinity;
    for (var i = 0; i !== N; i++) {
      if (i === p || !visible(i)) {
        continue;
      }
      var vx = sx[i] - sx[p], vy = sy[i] - sy[p];
      var along = vx * dx + vy * dy, across = Math.abs(vx * dy - vy * dx);
      if (along <= 0 || across > along) {
        continue;
      }
      var s = along + 2 * across;
      if (s < bs) {
        bs = s;
        best = i;
      }
    }
    if (best >= 0) {
      reveal(best);
      showCard(best, true);
    }
  }

  function centrePoint() {
    var best = -1, bd = Infinity;
    for (var i = 0; i !== N; i++) {
      if (!visible(i)) {
        continue;
      }
      var dx = sx[i] - W / 2, dy = sy[i] - H / 2, d = dx * dx + dy * dy;
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    return best;
  }

  // Controls.
  var radios = [];
  D.projections.forEach(function (p, pi) {
    var label = document.createElement("label"), input = document.createElement("input");
    input.type = "radio";
    input.name = "ex-projection";
    input.value = p.key;
    input.checked = pi === st.proj;
    input.addEventListener("change", function () {
      if (input.checked) {
        setProjection(pi);
      }
    });
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + p.name));
    $("ex-projection").appendChild(label);
    radios.push(input);
  });
  D.colourings.forEach(function (c) {
    var o = document.createElement("option");
    o.value = c.key;
    o.textContent = c.name;
    colourSelect.appendChild(o);
  });
  colourSelect.addEventListener("change", function () {
    setColouring(colourSelect.selectedIndex);
  });
  wrongBox.addEventListener("change", function () {
    st.wrongOnly = wrongBox.checked;
    if (st.current >= 0 && !visible(st.current)) {
      closeCard();
    }
    status();
    schedule();
  });
  $("ex-zoom-in").addEventListener("click", function () { zoomAt(W / 2, H / 2, 1.5); });
  $("ex-zoom-out").addEventListener("click", function () { zoomAt(W / 2, H / 2, 1 / 1.5); });
  $("ex-reset").addEventListener("click", resetView);

  function status() {
    $("ex-status").textContent = st.wrongOnly ?
      nWrong.toLocaleString("en") + " misclassified of " + N.toLocaleString("en") + " test images" :
      N.toLocaleString("en") + " test images";
  }

  function setProjection(pi) {
    st.proj = pi;
    radios[pi].checked = true;
    var p = D.projections[pi];
    $("ex-axes").textContent = "Horizontal: " + p.xLabel + "; vertical: " + p.yLabel + ".";
    fit();
    st.k = 1; st.tx = 0; st.ty = 0;
    draw();
  }

  function setColouring(ci) {
    st.colour = ci;
    st.highlight = -1;
    colourSelect.selectedIndex = ci;
    legend.textContent = "";
    D.colourings[ci].groups.forEach(function (g, gi) {
      if (g.count === 0) {
        return;
      }
      var li = document.createElement("li"), b = document.createElement("button");
      var sw = document.createElement("span"), name = document.createElement("span"), n = document.createElement("span");
      b.type = "button";
      b.setAttribute("aria-pressed", "false");
      b.dataset.group = gi;
      sw.className = "sw";
      sw.style.background = g.colour;
      name.textContent = g.name;
      n.className = "n";
      n.textContent = g.count.toLocaleString("en");
      b.appendChild(sw);
      b.appendChild(name);
      b.appendChild(n);
      b.addEventListener("click", function () { highlight(st.highlight === gi ? -1 : gi); });
      li.appendChild(b);
      legend.appendChild(li);
    });
    if (st.current >= 0 && !card.hidden) {
      showCard(st.current, st.pinned);
    } else {
      draw();
    }
  }

  function highlight(gi) {
    st.highlight = gi;
    Array.prototype.forEach.call(legend.querySelectorAll("button"), function (b) {
      b.setAttribute("aria-pressed", String(Number(b.dataset.group) === gi));
    });
    schedule();
  }

  // Pointer: hover shows a card, click pins it, drag pans, wheel and pinch
  // zoom.
  var pointers = new Map(), moved = false, pinch = 0;
  function local(e) {
    var r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }
  canvas.addEventListener("pointerdown", function (e) {
    canvas.setPointerCapture(e.pointerId);
    pointers.set(e.pointerId, local(e));
    moved = false;
    if (pointers.size === 2) {
      var ps = Array.from(pointers.values());
      pinch = Math.hypot(ps[0].x - ps[1].x, ps[0].y - ps[1].y);
    }
  });
  canvas.addEventListener("pointermove", function (e) {
    var q = local(e), prev = pointers.get(e.pointerId);
    if (!prev) {
      if (!st.pinned) {
        var i = nearest(q.x, q.y, 10);
        if (i >= 0 && i !== st.current) {
          showCard(i, false);
        } else if (i < 0 && st.current >= 0) {
          closeCard();
        }
      }
      return;
    }
    if (Math.hypot(q.x - prev.x, q.y - prev.y) > 0 && pointers.size === 2) {
      pointers.set(e.pointerId, q);
      var ps = Array.from(pointers.values());
      var d = Math.hypot(ps[0].x - ps[1].x, ps[0].y - ps[1].y);
      if (pinch > 0 && d > 0) {
        zoomAt((ps[0].x + ps[1].x) / 2, (ps[0].y + ps[1].y) / 2, d / pinch);
      }
      pinch = d;
      moved = true;
      return;
    }
    if (moved || Math.hypot(q.x - prev.x, q.y - prev.y) > 3) {
      moved = true;
      st.tx += q.x - prev.x;
      st.ty += q.y - prev.y;
      pointers.set(e.pointerId, q);
      schedule();
    }
  });
  function release(e) {
    var had = pointers.delete(e.pointerId);
    if (!had || moved || pointers.size > 0) {
      return;
    }
    var q = local(e), i = nearest(q.x, q.y, e.pointerType === "touch" ? 18 : 10);
    if (i >= 0) {
      showCard(i, true);
    } else {
      closeCard();
    }
  }
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", function (e) { pointers.delete(e.pointerId); });
  canvas.addEventListener("pointerleave", function () {
    if (pointers.size === 0 && !st.pinned && st.current >= 0) {
      closeCard();
    }
  });
  canvas.addEventListener("wheel", function (e) {
    e.preventDefault();
    var q = local(e);
    zoomAt(q.x, q.y, Math.exp(-e.deltaY * 0.0015));
  }, { passive: false });

  // Keyboard.
  canvas.addEventListener("focus", function () {
    if (st.current < 0 && canvas.matches(":focus-visible")) {
      var i = centrePoint();
      if (i >= 0) {
        showCard(i, true);
      }
    }
  });
  canvas.addEventListener("keydown", function (e) {
    var dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (dirs[e.key]) {
      e.preventDefault();
      if (st.current < 0) {
        var i = centrePoint();
        if (i >= 0) {
          showCard(i, true);
        }
      } else {
        step(dirs[e.key][0], dirs[e.key][1]);
      }
    } else if (e.key === "Escape") {
      e.preventDefault();
      closeCard();
    } else if (e.key === "+" || e.key === "=") {
      e.preventDefault();
      zoomAt(st.current >= 0 ? sx[st.current] : W / 2, st.current >= 0 ? sy[st.current] : H / 2, 1.5);
    } else if (e.key === "-") {
      e.preventDefault();
      zoomAt(W / 2, H / 2, 1 / 1.5);
    } else if (e.key === "0") {
      e.preventDefault();
      resetView();
    }
  });

  if (sprite && !sprite.complete) {
    sprite.addEventListener("load", function () {
      if (st.current >= 0 && !card.hidden) {
        drawImage(st.current);
      }
    });
  }

  if (typeof ResizeObserver === "function") {
    new ResizeObserver(resize).observe(canvas);
  } else {
    window.addEventListener("resize", resize);
  }
  status();
  resize();
  setProjection(0);
  setColouring(0);

  // The browser test's hook: the page's own transform and state.
  window.fmnistExplorer = {
    // screenPoint gives test image i's position in the viewport.
    screenPoint: function (i) {
      positions();
      var r = canvas.getBoundingClientRect();
      return { x: r.left + sx[i], y: r.top + sy[i], inside: sx[i] >= 0 && sy[i] >= 0 && sx[i] <= W && sy[i] <= H && visible(i) };
    },
    transform: function () {
      return { k: st.k, tx: st.tx, ty: st.ty, projection: D.projections[st.proj].key, colouring: D.colourings[st.colour].key, highlight: st.highlight };
    },
    // redraw repaints now and returns the time it took in milliseconds.
    redraw: function () { return draw(); },
    card: function () {
      return { open: !card.hidden, pinned: st.pinned, index: st.current, text: card.hidden ? "" : cardText.textContent, image: st.imageShown };
    },
    // points gives the number of test images.
    points: function () { return N; }
  };
})();
