'use client';

import { useState } from 'react';

/** The product's images: one large, thumbnails to switch (buttons, so keyboard users can too). */
export function ProductGallery({ images, name }: { images: string[]; name: string }) {
  const [selected, setSelected] = useState(0);
  const current = images[selected] ?? images[0];
  return (
    <div>
      <div className="gallery-main">
        {current ? <img src={current} alt={`${name}, view ${selected + 1} of ${images.length}`} width={800} height={600} /> : null}
      </div>
      {images.length > 1 ? (
        <ul className="gallery-thumbs" aria-label="Images">
          {images.map((image, index) => (
            <li key={image}>
              <button type="button" aria-pressed={index === selected} aria-label={`Show image ${index + 1}`} onClick={() => setSelected(index)}>
                <img src={image} alt="" width={72} height={54} loading="lazy" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
