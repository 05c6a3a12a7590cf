/** Which page a route shows, with what the page needs; the server and the single-page app both render through here. */
import type { CartItem } from '../shop/cart.js';
import type { Order } from '../shop/orders.js';
import type { Links, Route } from './paths.js';
import { cartPage } from './views/cart.js';
import { categoryPage, sortNamed } from './views/category.js';
import { checkoutPage } from './views/checkout.js';
import { homePage } from './views/home.js';
import { notFoundPage } from './views/not-found.js';
import { orderPage } from './views/order.js';
import type { PageView } from './views/page-view.js';
import { productPage } from './views/product.js';
import { searchPage } from './views/search.js';

export interface PageInputs {
  links: Links;
  cart: readonly CartItem[];
  /** The order an order route names, when known. */
  order?: Order | undefined;
  /** The query string's `sort` (category pages). */
  sort?: string | null | undefined;
}

export function pageFor(route: Route, inputs: PageInputs): PageView {
  const { links } = inputs;
  switch (route.name) {
    case 'home':
      return homePage(links);
    case 'category':
      return categoryPage(route.category, sortNamed(inputs.sort), links);
    case 'product':
      return productPage(route.productId, links);
    case 'search':
      return searchPage(route.query, links);
    case 'cart':
      return cartPage(inputs.cart, links);
    case 'checkout':
      return checkoutPage(inputs.cart, links);
    case 'order':
      return orderPage(inputs.order, links);
    case 'not-found':
      return notFoundPage(links);
  }
}
