/** The edge's recommendations come as names and prices (the SDK renders them): each item gets its product's picture. */
export function pictureRecs(doc: Document): void {
  const add = () => {
    for (const item of doc.querySelectorAll('[data-sf-slot="recs"] .sf-item[data-sf-product]')) {
      if (item.querySelector('img')) continue;
      const img = doc.createElement('img');
      img.className = 'sf-thumb';
      img.alt = '';
      img.width = 160;
      img.height = 120;
      img.src = `/pictures/${encodeURIComponent(item.getAttribute('data-sf-product') ?? '')}.svg`;
      item.prepend(img);
    }
  };
  new MutationObserver(add).observe(doc.body, { childList: true, subtree: true });
}
