// Progressive enhancement only: every page works without this script.
// Features add small modules below (votes without reload, search suggestions).
document.documentElement.classList.add('js');
// Votes without reload (accounts feature): src/web/static/votes.js
(function () { var s = document.createElement('script'); s.src = '/static/votes.js'; s.defer = true; document.head.appendChild(s); })();
