// Progressive enhancement only: every page works without this script.
// Features add small modules below (votes without reload, search suggestions).
document.documentElement.classList.add('js');
// Votes without reload (accounts feature): src/web/static/votes.js
(function () {
  function load(src) { var s = document.createElement('script'); s.src = src; s.defer = true; document.head.appendChild(s); }
  load('/static/votes.js');
  // Save to library without reload, Copy BibTeX: src/web/static/library.js
  load('/static/library.js');
  // Search suggestions: src/web/static/suggest.js, only where the search page's box is.
  if (document.getElementById('q-suggest')) load('/static/suggest.js');
})();
