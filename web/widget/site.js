// The demo host site's own script: its consent banner, its contact form, and buttons that use the
// widget's API. It shows what a host page can do with the widget's events; the widget works
// without any of it.
const $ = (id) => document.getElementById(id);
const CONSENT_ASKED = 'northwind:consent-asked';  // the host's own key, not the widget's

document.addEventListener('leadkit:score', (e) => { $('visitor-score').textContent = e.detail.score.toFixed(0); });

function widget() {
  return window.leadkit?.ready ?? Promise.resolve(null);
}

if (!localStorage.getItem(CONSENT_ASKED)) $('consent').hidden = false;
for (const [id, granted] of [['consent-accept', true], ['consent-decline', false]]) {
  $(id).addEventListener('click', async () => {
    localStorage.setItem(CONSENT_ASKED, '1');
    $('consent').hidden = true;
    (await widget())?.consent(granted);
  });
}

$('forget-me').addEventListener('click', async () => {
  (await widget())?.forget();
  localStorage.removeItem(CONSENT_ASKED);
  $('visitor-score').textContent = '–';
});
$('export-leads').addEventListener('click', async () => (await widget())?.downloadLeads('northwind-leads.json'));

$('contact-form')?.addEventListener('submit', (e) => {
  e.preventDefault();  // a demo: there is no server to send this to
  $('contact-status').textContent = 'Thanks, we will reply within one working day.';
  e.target.reset();
});
