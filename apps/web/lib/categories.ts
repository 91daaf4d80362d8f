import { defaultCategoryId, type Category } from '@dema/contracts';

/**
 * The categories a shopper is shown: all of them, except the default category while it is empty.
 * Every install has it (products created without a category go there), and on a shop that files
 * everything an empty "Uncategorized" tile or filter choice would only be noise.
 */
export function shopCategories(categories: Category[]): Category[] {
  return categories.filter((category) => category.id !== defaultCategoryId || category.productCount > 0);
}
