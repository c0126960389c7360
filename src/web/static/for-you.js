// For you without page reloads: "Not interested" removes the card in place (with an Undo that
// puts it back), and the undo buttons of the "Not interested" list work the same way. Every
// control is a real <form method="post"> (src/web/pages/for-you.tsx) that works without this
// script; here it is sent with fetch, asking for JSON.
(function () {
  async function post(form) {
    var body = new URLSearchParams(new FormData(form));
    var res = await fetch(form.action, { method: 'POST', body: body, headers: { accept: 'application/json', 'x-csrf-token': body.get('_csrf') || '' }, credentials: 'same-origin' });
    var data = await res.json().catch(function () { return {}; });
    if (res.status === 401 && data.login) { location.href = data.login; return null; }
    if (!res.ok) throw new Error(data.error || 'That did not work. Reload the page and try again.');
    return data;
  }
  function say(near, text) {
    var msg = document.createElement('p');
    msg.className = 'notice';
    msg.setAttribute('role', 'alert');
    msg.textContent = text;
    near.parentNode.insertBefore(msg, near.nextSibling);
    setTimeout(function () { msg.remove(); }, 6000);
  }
  function undoForm(form, paperId) {
    var undo = form.cloneNode(true);
    undo.action = '/for-you/undismiss';
    undo.removeAttribute('data-dismiss');
    undo.setAttribute('data-undismiss', paperId);
    var b = undo.querySelector('button');
    b.textContent = 'Undo';
    b.title = 'Show this paper on For you again';
    return undo;
  }
  async function dismissCard(form) {
    var li = form.closest('li[data-paper]');
    var paperId = form.getAttribute('data-dismiss');
    form.querySelector('button').disabled = true;
    try {
      var data = await post(form);
      if (!data) return;
      if (!li) { location.reload(); return; }
      var title = li.querySelector('h3 a');
      var note = document.createElement('li');
      note.className = 'dismissed-card';
      note.setAttribute('role', 'status');
      note.append('Not interested in “' + (title ? title.textContent : paperId) + '”: hidden from For you. ');
      var undo = undoForm(form, paperId);
      note.appendChild(undo);
      li.replaceWith(note);
      note._card = li;
      undo.querySelector('button').focus();
    } catch (e) {
      form.querySelector('button').disabled = false;
      say(form.closest('p') || form, e.message);
    }
  }
  async function undismiss(form) {
    var note = form.closest('li.dismissed-card');
    form.querySelector('button').disabled = true;
    try {
      var data = await post(form);
      if (!data) return;
      if (note && note._card) {
        var card = note._card;
        var b = card.querySelector('form[data-dismiss] button');
        if (b) b.disabled = false;
        note.replaceWith(card);
        if (b) b.focus();
      } else {
        // An entry of the "Not interested" list: it is back in the ranking on the next load.
        var li = form.closest('li');
        if (li) li.remove();
        location.reload();
      }
    } catch (e) {
      form.querySelector('button').disabled = false;
      say(form, e.message);
    }
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.matches('form[data-dismiss]')) { e.preventDefault(); dismissCard(form); }
    else if (form.matches('form[data-undismiss]')) { e.preventDefault(); undismiss(form); }
  });
})();
