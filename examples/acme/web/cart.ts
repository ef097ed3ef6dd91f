// Shopping cart pricing for the Acme storefront (fictional, written for the leakguard demo).

export interface CartItem {
  sku: string;
  quantity: number;
  unitPriceCents: number;
  category: "food" | "books" | "general";
}

export interface Promotion {
  code: string;
  percentOff: number;
  appliesTo: CartItem["category"][];
  minimumCents: number;
}

const FREE_SHIPPING_THRESHOLD_CENTS = 4900;
const FLAT_SHIPPING_CENTS = 495;

export function subtotal(items: CartItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
}

export function applyPromotion(items: CartItem[], promo: Promotion | undefined): number {
  const base = subtotal(items);
  if (!promo || base < promo.minimumCents) {
    return 0;
  }
  let discount = 0;
  for (const item of items) {
    if (promo.appliesTo.includes(item.category)) {
      discount += Math.floor((item.quantity * item.unitPriceCents * promo.percentOff) / 100);
    }
  }
  return Math.min(discount, base);
}

export function shippingFor(items: CartItem[], discountCents: number): number {
  const payable = subtotal(items) - discountCents;
  if (payable >= FREE_SHIPPING_THRESHOLD_CENTS || items.length === 0) {
    return 0;
  }
  const heavy = items.filter((item) => item.category === "books").length > 5;
  return heavy ? FLAT_SHIPPING_CENTS * 2 : FLAT_SHIPPING_CENTS;
}

export function checkoutTotal(items: CartItem[], promo?: Promotion): { total: number; lines: string[] } {
  const discount = applyPromotion(items, promo);
  const shipping = shippingFor(items, discount);
  const lines = items.map((item) => `${item.sku} x${item.quantity}`);
  if (discount > 0 && promo) {
    lines.push(`promo ${promo.code}: -${discount}`);
  }
  return { total: subtotal(items) - discount + shipping, lines };
}
