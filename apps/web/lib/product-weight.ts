import type { Product } from '@dema/contracts';

/** Grams as a shopper reads them: "254 g" below a kilogram, "1.1 kg" (exact, no rounding) from one. */
export function formatWeight(grams: number): string {
  return grams < 1000 ? `${grams} g` : `${grams / 1000} kg`;
}

/**
 * The product's specifications with its weight added as "Weight", when the merchant set a weight
 * and no specification already speaks of one (a 'Weight' or 'Packed Weight' the merchant wrote is
 * theirs to word). Variants that weigh differently show as a range, lightest to heaviest.
 */
export function specificationsWithWeight(product: Pick<Product, 'specifications' | 'weightGrams' | 'variants'>): Array<[string, string]> {
  const specifications = Object.entries(product.specifications);
  if (specifications.some(([name]) => /\bweight\b/i.test(name))) return specifications;
  const weights = product.variants.length > 0 ? product.variants.map((v) => v.weightGrams ?? product.weightGrams) : [product.weightGrams];
  const lightest = Math.min(...weights);
  const heaviest = Math.max(...weights);
  if (heaviest === 0) return specifications;
  return [...specifications, ['Weight', lightest === heaviest ? formatWeight(heaviest) : `${formatWeight(lightest)} – ${formatWeight(heaviest)}`]];
}
