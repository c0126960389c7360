// Save to library without a page reload, and "Copy BibTeX". Every save control is a real
// <form method="post" action="/library/save"> (src/web/components/save-button.tsx) that works
// without this script; here it is sent with fetch, asking for JSON, and flipped in place.
(function () {
  function render(form, saved) {
    var want = form.querySelector('input[name="want"]');
    if (want) want.value = saved ? 'off' : 'on';
    var b = form.querySelector('button');
    if (!b) return;
    b.setAttribute('aria-pressed', saved ? 'true' : 'false');
    b.title = saved ? 'Remove from your library' : 'Save to your library';
    var l = b.querySelector('.save-label');
    if (l) l.textContent = saved ? '★ Saved' : '☆ Save';
  }
  function inform(form, text) {
    var msg = form.parentNode.querySelector(':scope > .save-message');
    if (!text) { if (msg) msg.remove(); return; }
    if (!msg) {
      msg = document.createElement('span');
      msg.className = 'save-message notice';
      msg.setAttribute('role', 'alert');
      form.parentNode.insertBefore(msg, form.nextSibling);
    }
    msg.textContent = text;
  }
  async function send(form) {
    var body = new URLSearchParams(new FormData(form));
    var token = body.get('_csrf') || '';
    form.classList.add('busy');
    try {
      var res = await fetch('/library/save', { method: 'POST', body: body, headers: { accept: 'application/json', 'x-csrf-token': token }, credentials: 'same-origin' });
      var data = await res.json().catch(function () { return {}; });
      if (res.status === 401 && data.login) { location.href = data.login; return; }
      if (!res.ok) { inform(form, data.error || 'Saving did not work. Reload the page and try again.'); return; }
      inform(form, '');
      // Every control for this paper on the page (a card and the paper page's button) follows.
      document.querySelectorAll('form[data-save="' + CSS.escape(data.paperId) + '"]').forEach(function (f) { render(f, data.saved); });
    } catch (e) {
      inform(form, 'Saving did not work (offline?). Try again.');
    } finally {
      form.classList.remove('busy');
    }
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.matches('form[data-save]')) return;
    e.preventDefault();
    send(form);
  });
  function setupCopy() {
    document.querySelectorAll('button[data-copy]').forEach(function (b) {
      var source = document.getElementById(b.getAttribute('data-copy'));
      if (!source) return;
      b.hidden = false;
      b.addEventListener('click', async function () {
        try {
          await navigator.clipboard.writeText(source.value);
          b.textContent = 'Copied';
        } catch (e) {
          source.focus();
          source.select();
          b.textContent = 'Press Ctrl+C to copy';
        }
        setTimeout(function () { b.textContent = 'Copy BibTeX'; }, 2000);
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setupCopy);
  else setupCopy();
})();
