// Title suggestions while typing in the search page's query box (a <datalist>), from
// /search/suggest. Loaded by app.js only on pages that have the box.
(function () {
  var i = document.getElementById('q');
  var l = document.getElementById('q-suggest');
  if (!i || !l) return;
  var t;
  var last = '';
  i.addEventListener('input', function () {
    clearTimeout(t);
    t = setTimeout(async function () {
      var q = i.value.trim();
      if (q.length < 3 || q === last) return;
      last = q;
      try {
        var r = await fetch('/search/suggest?q=' + encodeURIComponent(q));
        if (!r.ok) return;
        var s = await r.json();
        l.replaceChildren.apply(l, s.map(function (x) { var o = document.createElement('option'); o.value = x; return o; }));
      } catch (e) {}
    }, 150);
  });
})();
