// Progressive enhancement only: every page works without this script.
// Features add small modules below (votes without reload, search suggestions).
document.documentElement.classList.add('js');
