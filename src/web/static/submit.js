// /submit without a frozen page: the form (see src/web/pages/submit.tsx) is sent with fetch while a
// status line says what is happening and for how long; the wait is bounded. Without this script
// the form posts normally. No inline script: this file is loaded with <script src>.
(function () {
  if (!window.fetch || !window.AbortController || !window.DOMParser) return;
  var busy = false;

  function say(form, text, kind) {
    var s = form.querySelector('.submit-status');
    if (!s) return;
    s.textContent = text;
    s.className = 'submit-status' + (kind ? ' ' + kind : '');
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-submit-progress')) return;
    e.preventDefault();
    if (busy) return;
    busy = true;
    var wait = Number(form.getAttribute('data-wait-seconds')) || 20;
    // The server answers by `wait` seconds; past that plus a margin the connection itself is stuck.
    var limit = wait + 10;
    var button = form.querySelector('button[type="submit"]');
    var started = Date.now();
    if (button) button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    say(form, 'Checking the paper…', 'busy');
    var tick = setInterval(function () {
      var s = Math.floor((Date.now() - started) / 1000);
      if (s >= 1) say(form, 'Fetching from arXiv… ' + s + ' s (at most ' + wait + ' s)', 'busy');
    }, 250);
    var ctrl = new AbortController();
    var guard = setTimeout(function () { ctrl.abort(); }, limit * 1000);
    function done() {
      clearInterval(tick);
      clearTimeout(guard);
      busy = false;
      if (button) button.disabled = false;
      form.removeAttribute('aria-busy');
    }
    fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
      headers: { accept: 'text/html' },
      signal: ctrl.signal,
    })
      .then(function (res) {
        if (res.redirected) {
          done();
          say(form, 'Submitted. Opening the paper…', 'ok');
          location.assign(res.url);
          return;
        }
        return res.text().then(function (html) {
          done();
          // The answer is the form again with the server's message: show it in place.
          var doc = new DOMParser().parseFromString(html, 'text/html');
          var next = doc.querySelector('main');
          var here = document.querySelector('main');
          if (next && here) {
            here.replaceWith(next);
            document.title = doc.title;
            var msg = next.querySelector('[role="alert"], .error-text, .notice');
            if (msg && msg.focus) { msg.setAttribute('tabindex', '-1'); msg.focus(); }
          } else {
            say(form, 'Something went wrong (HTTP ' + res.status + '). Try again.', 'error');
          }
        });
      })
      .catch(function () {
        done();
        say(form, 'No answer after ' + limit + ' seconds: arXiv or the connection is not responding. Try again in a few minutes.', 'error');
      });
  });
})();
