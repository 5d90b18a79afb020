// Live pages: every element marked data-live is fetched again every two seconds and replaced, so
// the page follows the catalog without a reload. Pages work without this script too.
for (const el of document.querySelectorAll('[data-live]')) {
  const url = el.getAttribute('data-live');
  setInterval(async () => {
    try {
      const r = await fetch(url, { headers: { accept: 'text/html' } });
      if (r.ok) el.innerHTML = await r.text();
    } catch {
      // The next tick tries again.
    }
  }, 2000);
}
