// The player of a recorded session on the meeting page
// (web/templates/partials/recording_player.html): each chapter (an agenda
// item) is its own WebM file; a chapter link plays it in the video
// instead of opening it, and the next chapter follows when one ends.
const video = document.getElementById('recording-video');
const links = [...document.querySelectorAll('#recording a.chapter')];

function play(i) {
  const a = links[i];
  if (!video || !a) return;
  links.forEach((l) => l.removeAttribute('aria-current'));
  a.setAttribute('aria-current', 'true');
  video.dataset.chapter = String(i);
  video.src = a.href;
  video.play().catch(() => {}); // autoplay refused: the controls remain
}

links.forEach((a, i) => a.addEventListener('click', (e) => {
  if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return; // a new tab or a download
  e.preventDefault();
  play(i);
  video.focus();
}));

// A link to #chapter-<item> (the decision trail on a paper's page) opens
// the player on that item's chapter; the browser may refuse to autoplay.
function fromHash() {
  const i = links.findIndex((a) => a.id && '#' + a.id === location.hash);
  if (i >= 0) play(i);
}

if (video) {
  video.dataset.chapter = '0';
  fromHash();
  window.addEventListener('hashchange', fromHash);
  video.addEventListener('ended', () => {
    const next = Number(video.dataset.chapter) + 1;
    if (next < links.length) play(next);
  });
}
