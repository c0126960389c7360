// Upvote without a page reload. Every vote control is a real <form method="post" action="/vote">
// (see src/web/components/vote-button.tsx) that works without this script; here we send it with
// fetch, asking for JSON, and update the count and pressed state in place. Plain vote boxes on
// lists rendered without a form (data-paper) become buttons when the visitor is signed in.
(function () {
  function token() {
    var el = document.querySelector('input[name="_csrf"]');
    return el ? el.value : '';
  }
  function signedIn() {
    return !!document.querySelector('form[action="/logout"]');
  }
  function render(box, r) {
    box.querySelectorAll('.vote-count, strong').forEach(function (n) { n.textContent = String(r.upvotes); });
    var b = box.querySelector('button');
    if (b) {
      b.setAttribute('aria-pressed', r.voted ? 'true' : 'false');
      b.setAttribute('aria-label', 'Upvote: ' + r.upvotes + (r.upvotes === 1 ? ' upvote' : ' upvotes'));
      b.title = r.voted ? 'Remove your upvote' : 'Upvote';
      var l = b.querySelector('.vote-label');
      if (l) l.textContent = r.voted ? 'Upvoted' : 'Upvote';
    }
  }
  // Why a vote did not count, shown beside the paper (a card's body, or under the paper page's
  // buttons) rather than in a native alert() that blocks the page.
  function inform(box, text) {
    var host = box.closest('.paper-card') ? box.closest('.paper-card').querySelector('.card-body') : box.closest('.paper-actions') || box.parentNode;
    var msg = host.querySelector(':scope > .vote-message');
    if (!text) { if (msg) msg.remove(); return; }
    if (!msg) {
      msg = document.createElement('p');
      msg.className = 'vote-message notice';
      msg.setAttribute('role', 'alert');
      if (host.classList.contains('card-body')) host.insertBefore(msg, host.firstChild); else host.appendChild(msg);
    }
    msg.textContent = text;
  }
  async function send(box, paper) {
    var body = new URLSearchParams({ paper: paper, _csrf: token() });
    box.classList.add('busy');
    try {
      var res = await fetch('/vote', { method: 'POST', body: body, headers: { accept: 'application/json', 'x-csrf-token': token() }, credentials: 'same-origin' });
      var data = await res.json().catch(function () { return {}; });
      if (res.status === 401 && data.login) { location.href = data.login; return; }
      if (!res.ok) { inform(box, data.error || 'The vote did not go through. Reload the page and try again.'); return; }
      inform(box, '');
      render(box, data);
    } finally {
      box.classList.remove('busy');
    }
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.matches('form[data-vote]')) return;
    e.preventDefault();
    send(form, form.getAttribute('data-vote'));
  });
  function upgrade() {
    if (!signedIn()) return;
    document.querySelectorAll('div.votes[data-paper]').forEach(function (box) {
      var paper = box.getAttribute('data-paper');
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'vote-plain';
      b.setAttribute('aria-pressed', 'false');
      b.setAttribute('aria-label', 'Upvote');
      while (box.firstChild) b.appendChild(box.firstChild);
      box.appendChild(b);
      box.classList.add('vote-form');
      b.addEventListener('click', function () { send(box, paper); });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', upgrade);
  else upgrade();
})();
