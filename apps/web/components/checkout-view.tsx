'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorCode, formatPrice, type Cart, type CheckoutPreview, type CreateOrder, type SavedAddress, type ShippingOption } from '@dema/contracts';
import { describeFailure, newIdempotencyKey, placeOrder, DemaApiError } from '@dema/client';
import { cartCheckedOut, loadCart, useCart } from '../lib/cart.ts';
import {
  addressErrorMessages,
  addressOf,
  blankAddress,
  checkoutBody,
  draftOf,
  fieldErrorsUnder,
  needsShippingAddress,
  noChoices,
  shippingPrice,
  type AddressDraft,
  type CheckoutChoices,
} from '../lib/checkout.ts';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { AddressForm } from './address-form.tsx';
import { CardField, type Card } from './card-field.tsx';
import { AddressLines, OrderBreakdown } from './order-breakdown.tsx';
import { RequireSession } from './require-session.tsx';
import { SavedAddressPicker, useAddressBook } from './saved-addresses.tsx';
import { EmptyState, ErrorState, Loading } from './states.tsx';

/** Whether this store needs an address at checkout: learnt once per visit from a preview of the cart alone. */
type Shipping = { status: 'probing' } | { status: 'needed' } | { status: 'none' } | { status: 'error'; error: DemaApiError };
type Stage = 'address' | 'method' | 'review';

/**
 * How the shopper may pay: the manual provider always (the order waits until an admin marks it
 * paid); a card when the store's checkout settings offer Stripe with a publishable key.
 */
const paymentMethods = [
  { id: 'manual', label: 'Pay on delivery / bank transfer', note: 'Your order waits for your payment: the store marks it paid once the money has arrived.' },
  { id: 'stripe', label: 'Card', note: 'Your card is authorized now and charged when the order ships.' },
] as const;
type PaymentChoice = (typeof paymentMethods)[number]['id'];

/** What the public checkout settings say of payments (absent before the store offered any choice). */
type PaymentSettings = { paymentProviders?: string[]; stripePublishableKey?: string | null };

const asApiError = (caught: unknown): DemaApiError => (caught instanceof DemaApiError ? caught : DemaApiError.unreachable(caught));

/**
 * Checkout as steps that unfold on one page: the shipping address (and a billing address when it
 * differs), the shipping method among the options the API offers for that address, a promotion
 * code, then payment and "Place order". Every figure — lines, discount, shipping, tax, total — is
 * the API's preview of the same body the order is placed with; the page adds up nothing. A store
 * without shipping zones needs no address: checkout is then the code, payment and the button.
 * The Idempotency-Key is made once per body, so a double click or a retry after a network failure
 * cannot place two orders.
 */
export function CheckoutView({ stripeJsUrl }: { stripeJsUrl: string }) {
  const cart = useCart();
  const router = useRouter();
  // The store's currency, the countries it ships to and how one may pay; until they arrive, every country, USD and manual.
  const settings = useApi((client) => client.GET('/api/checkout-settings'), []);
  const shipsTo = settings.status === 'ready' && settings.data.shipsTo.length > 0 ? settings.data.shipsTo : undefined;
  const currency = settings.status === 'ready' ? settings.data.currency : undefined;
  const key = useRef<string | null>(null);
  const [shipping, setShipping] = useState<Shipping>({ status: 'probing' });
  const [stage, setStage] = useState<Stage>('address');
  const [shippingDraft, setShippingDraft] = useState<AddressDraft>(blankAddress);
  const [billingDraft, setBillingDraft] = useState<AddressDraft>(blankAddress);
  const [sameBilling, setSameBilling] = useState(true);
  const [addressErrors, setAddressErrors] = useState<{ shipping: Record<string, string>; billing: Record<string, string> }>({ shipping: {}, billing: {} });
  const [options, setOptions] = useState<ShippingOption[]>([]);
  const [methodId, setMethodId] = useState<string | null>(null);
  const [methodError, setMethodError] = useState<string | null>(null);
  const [choices, setChoices] = useState<CheckoutChoices>(noChoices);
  const [preview, setPreview] = useState<CheckoutPreview | null>(null);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const [working, setWorking] = useState<'address' | 'method' | 'code' | 'order' | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The address book: which saved address each form holds ('' a new or changed one), and whether to keep a new one.
  const addressBook = useAddressBook(shipping.status === 'needed');
  const [savedShippingId, setSavedShippingId] = useState('');
  const [savedBillingId, setSavedBillingId] = useState('');
  const [saveShipping, setSaveShipping] = useState(false);
  const paymentSettings: PaymentSettings = settings.status === 'ready' ? (settings.data as PaymentSettings) : {};
  const publishableKey = paymentSettings.paymentProviders?.includes('stripe') ? paymentSettings.stripePublishableKey : null;
  const offered = paymentMethods.filter((method) => method.id === 'manual' || publishableKey);
  const [paymentChoice, setPaymentChoice] = useState<PaymentChoice>('manual');
  const card = useRef<Card | null>(null);

  // The customer's default addresses are where checkout starts.
  useEffect(() => {
    const defaultShipping = addressBook.find((saved) => saved.defaultShipping);
    const defaultBilling = addressBook.find((saved) => saved.defaultBilling);
    if (defaultShipping) {
      setShippingDraft(draftOf(defaultShipping.address));
      setSavedShippingId(defaultShipping.id);
    }
    if (defaultBilling) {
      setBillingDraft(draftOf(defaultBilling.address));
      setSavedBillingId(defaultBilling.id);
    }
  }, [addressBook]);

  function pickShipping(saved: SavedAddress | null): void {
    setShippingDraft(saved ? draftOf(saved.address) : blankAddress);
    setSavedShippingId(saved?.id ?? '');
  }

  function pickBilling(saved: SavedAddress | null): void {
    setBillingDraft(saved ? draftOf(saved.address) : blankAddress);
    setSavedBillingId(saved?.id ?? '');
  }

  // A saved address changed in its form is a new address.
  function editShipping(next: AddressDraft): void {
    setShippingDraft(next);
    setSavedShippingId('');
  }

  function editBilling(next: AddressDraft): void {
    setBillingDraft(next);
    setSavedBillingId('');
  }

  const hasItems = cart.status === 'ready' && cart.cart.items.length > 0;
  useEffect(() => {
    if (!hasItems || shipping.status !== 'probing') return;
    let current = true;
    api.POST('/api/checkout/preview', { body: { fromCart: true } }).then(
      (figures) => {
        if (!current) return;
        setShipping({ status: 'none' });
        setPreview(figures);
        setStage('review');
      },
      (caught: unknown) => {
        if (!current) return;
        const failure = asApiError(caught);
        setShipping(needsShippingAddress(failure) ? { status: 'needed' } : { status: 'error', error: failure });
      },
    );
    return () => {
      current = false;
    };
  }, [hasItems, shipping.status]);

  /**
   * Shows a refusal where it belongs: at the address field, the method or the code it names, the
   * step it belongs to opened again; anything else as the page's alert.
   */
  function showRefusal(failure: DemaApiError): void {
    const shippingFields = fieldErrorsUnder(failure, 'body.shippingAddress');
    const billingFields = fieldErrorsUnder(failure, 'body.billingAddress');
    const methodFields = fieldErrorsUnder(failure, 'body.shippingMethodId');
    const codeFields = fieldErrorsUnder(failure, 'body.promotionCode');
    if (Object.keys(shippingFields).length > 0 || Object.keys(billingFields).length > 0) {
      setAddressErrors({ shipping: addressErrorMessages(shippingFields), billing: addressErrorMessages(billingFields) });
      if (Object.keys(billingFields).length > 0) setSameBilling(false);
      setStage('address');
    } else if (methodFields['']) {
      setMethodError(`The shipping method ${methodFields['']}`);
      setStage('method');
    } else if (codeFields['']) {
      setCodeError(failure.detail ?? `The code ${codeFields['']}`);
    } else {
      setError(describeFailure(failure));
    }
  }

  /** Prices `next` with the API; on success it becomes the checkout's choices and figures. */
  async function review(next: CheckoutChoices): Promise<boolean> {
    setError(null);
    try {
      const figures = await api.POST('/api/checkout/preview', { body: checkoutBody(next) });
      // A key stands for one body (the API refuses it again with another): new choices, new key.
      key.current = null;
      setChoices(next);
      setPreview(figures);
      setStage('review');
      return true;
    } catch (caught) {
      showRefusal(asApiError(caught));
      return false;
    }
  }

  async function submitAddress(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const shippingAddress = addressOf(shippingDraft);
    const billingAddress = sameBilling ? null : addressOf(billingDraft);
    setWorking('address');
    setError(null);
    setAddressErrors({ shipping: {}, billing: {} });
    try {
      const { items } = await api.POST('/api/checkout/shipping-options', { body: { address: shippingAddress, fromCart: true } });
      const kept = items.some((option) => option.id === methodId) ? methodId : (items[0]?.id ?? null);
      setOptions(items);
      setMethodId(kept);
      setMethodError(items.length === 0 ? 'No shipping method takes this order to this address. Try another address, or fewer items.' : null);
      setChoices({ ...choices, shippingAddress, billingAddress, shippingMethodId: null });
      setPreview(null);
      setStage('method');
    } catch (caught) {
      const failure = asApiError(caught);
      const reasons = fieldErrorsUnder(failure, 'body.address');
      if (Object.keys(reasons).length === 0) setError(describeFailure(failure));
      else {
        const messages = addressErrorMessages(reasons);
        // "The store does not ship to JP" says it better than the field's reason.
        if (failure.code === ErrorCode.SHIPPING_UNAVAILABLE && failure.detail) messages.country = failure.detail;
        setAddressErrors({ shipping: messages, billing: {} });
      }
    } finally {
      setWorking(null);
    }
  }

  async function submitMethod(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (!methodId) {
      setMethodError('Choose a shipping method.');
      return;
    }
    setWorking('method');
    setMethodError(null);
    await review({ ...choices, shippingMethodId: methodId });
    setWorking(null);
  }

  async function applyCode(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const typed = code.trim();
    if (!typed) {
      setCodeError('Enter a promotion code.');
      return;
    }
    setWorking('code');
    setCodeError(null);
    if (await review({ ...choices, promotionCode: typed })) setCode('');
    setWorking(null);
  }

  async function removeCode(): Promise<void> {
    setWorking('code');
    setCodeError(null);
    await review({ ...choices, promotionCode: null });
    setWorking(null);
  }

  function choosePayment(choice: PaymentChoice): void {
    // Another provider is another body: a new key for it.
    key.current = null;
    setPaymentChoice(choice);
    setError(null);
  }

  async function place(): Promise<void> {
    const byCard = paymentChoice === 'stripe';
    if (byCard && !card.current) {
      setError('The card form is not ready yet: wait a moment, or choose another way to pay.');
      return;
    }
    key.current ??= newIdempotencyKey();
    setWorking('order');
    setError(null);
    try {
      // Manual is the API's default: the choice is only sent for a card.
      const body: CreateOrder = byCard ? ({ ...checkoutBody(choices), paymentProvider: 'stripe' } as CreateOrder) : checkoutBody(choices);
      const order = await placeOrder(api, body, { idempotencyKey: key.current });
      cartCheckedOut();
      const clientSecret = (order as { payment?: { clientSecret?: string } }).payment?.clientSecret;
      if (byCard && card.current && clientSecret) {
        // The order is placed whatever the card says: a declined card shows as such on the order page.
        await card.current.stripe.confirmCardPayment(clientSecret, { payment_method: { card: card.current.element } }).catch(() => undefined);
      }
      // Best effort: the order is placed whatever becomes of it (a full address book refuses it).
      if (saveShipping && savedShippingId === '' && choices.shippingAddress) {
        await api
          .POST('/api/users/me/addresses', { body: { address: choices.shippingAddress, defaultShipping: addressBook.length === 0 } })
          .catch(() => undefined);
      }
      router.push(`/orders/${order.id}?placed=1`);
    } catch (caught) {
      const failure = asApiError(caught);
      // A refusal (stock ran out, cart changed) is final for this attempt: the next one gets a new key.
      if (failure.status >= 400 && failure.status < 500) key.current = null;
      if (failure.code === ErrorCode.INSUFFICIENT_STOCK)
        setError(`${describeFailure(failure)} Your cart has been refreshed; adjust the quantities and try again.`);
      else if (failure.code === ErrorCode.CART_EMPTY) setError('Your cart is empty.');
      else showRefusal(failure);
      void loadCart();
      setWorking(null);
    }
  }

  return (
    <RequireSession reason="Sign in to check out.">
      {(user) => {
        if (cart.status === 'error') return <ErrorState title="We could not load your cart" message={describeFailure(cart.error)} />;
        if (cart.status !== 'ready') return <Loading label="Preparing checkout…" />;
        if (cart.cart.items.length === 0 && working !== 'order') {
          return (
            <EmptyState
              title="Nothing to check out"
              action={
                <Link className="btn btn-primary" href="/products">
                  Browse products
                </Link>
              }
            >
              <p>Your cart is empty.</p>
            </EmptyState>
          );
        }
        if (shipping.status === 'probing') return <Loading label="Preparing checkout…" />;
        if (shipping.status === 'error') {
          return (
            <ErrorState
              title="We could not prepare your checkout"
              message={describeFailure(shipping.error)}
              action={
                <Link className="btn" href="/cart">
                  Back to cart
                </Link>
              }
            />
          );
        }
        const hasProblems = cart.cart.problems.length > 0;
        const needsAddress = shipping.status === 'needed';
        const chosenMethod = options.find((option) => option.id === choices.shippingMethodId);
        return (
          <div className="cart-layout">
            <div className="checkout-steps">
              {needsAddress ? (
                <Step
                  number={1}
                  title="Shipping address"
                  open={stage === 'address'}
                  onChange={() => setStage('address')}
                  summary={<AddressSummary choices={choices} />}
                >
                  <form onSubmit={submitAddress} noValidate aria-label="Shipping address">
                    <SavedAddressPicker id="saved-shipping" saved={addressBook} selected={savedShippingId} onPick={pickShipping} />
                    <AddressForm
                      section="shipping"
                      legend="Where should we send it?"
                      value={shippingDraft}
                      errors={addressErrors.shipping}
                      onChange={editShipping}
                      countries={shipsTo}
                    />
                    {savedShippingId === '' ? (
                      <label className="checkbox" style={{ margin: '0 0 8px' }}>
                        <input type="checkbox" checked={saveShipping} onChange={(event) => setSaveShipping(event.target.checked)} /> Save this address to my
                        account
                      </label>
                    ) : null}
                    <label className="checkbox" style={{ margin: '4px 0 16px' }}>
                      <input type="checkbox" checked={sameBilling} onChange={(event) => setSameBilling(event.target.checked)} /> Billing address same as
                      shipping
                    </label>
                    {sameBilling ? null : (
                      <>
                        <SavedAddressPicker id="saved-billing" saved={addressBook} selected={savedBillingId} onPick={pickBilling} />
                        <AddressForm section="billing" legend="Billing address" value={billingDraft} errors={addressErrors.billing} onChange={editBilling} />
                      </>
                    )}
                    <button type="submit" className="btn btn-primary" disabled={working !== null}>
                      {working === 'address' ? <span className="spinner" aria-hidden="true" /> : null} Continue to shipping
                    </button>
                  </form>
                </Step>
              ) : null}
              {needsAddress ? (
                <Step
                  number={2}
                  title="Shipping method"
                  open={stage === 'method'}
                  onChange={stage === 'review' ? () => setStage('method') : undefined}
                  summary={
                    chosenMethod ? (
                      <p style={{ margin: 0 }}>{`${chosenMethod.name} · ${shippingPrice(chosenMethod.amount, preview?.currency ?? currency)}`}</p>
                    ) : null
                  }
                >
                  <form onSubmit={submitMethod} noValidate>
                    <fieldset className="choice-list" aria-describedby={methodError ? 'shipping-method-error' : undefined}>
                      <legend className="visually-hidden">Shipping method</legend>
                      {options.map((option) => (
                        <label key={option.id} className="choice">
                          <input
                            type="radio"
                            name="shippingMethod"
                            value={option.id}
                            checked={methodId === option.id}
                            onChange={() => setMethodId(option.id)}
                          />
                          <span className="choice-name">
                            {option.name} <span className="muted small">{option.zone}</span>
                          </span>
                          <span className="choice-price">{shippingPrice(option.amount, preview?.currency ?? currency)}</span>
                        </label>
                      ))}
                    </fieldset>
                    {methodError ? (
                      <p className="field-error" id="shipping-method-error">
                        {methodError}
                      </p>
                    ) : null}
                    <button type="submit" className="btn btn-primary" disabled={working !== null || options.length === 0} style={{ marginTop: 12 }}>
                      {working === 'method' ? <span className="spinner" aria-hidden="true" /> : null} Continue to review
                    </button>
                  </form>
                </Step>
              ) : null}
              {stage === 'review' ? (
                <>
                  <Step number={needsAddress ? 3 : 1} title="Promotion code" open>
                    {choices.promotionCode ? (
                      <p style={{ marginTop: 0 }}>
                        Code <strong className="mono">{preview?.promotionCode ?? choices.promotionCode}</strong> applied
                        {preview ? ` (−${formatPrice(preview.discountTotal, preview.currency)})` : ''}.{' '}
                        <button type="button" className="btn-link" onClick={removeCode} disabled={working !== null}>
                          Remove
                        </button>
                      </p>
                    ) : null}
                    <form className="toolbar" onSubmit={applyCode} noValidate>
                      <div className="field" style={{ flex: 1 }}>
                        <label htmlFor="promotion-code">Promotion code</label>
                        <input
                          id="promotion-code"
                          type="text"
                          autoComplete="off"
                          value={code}
                          onChange={(event) => setCode(event.target.value)}
                          aria-invalid={codeError ? true : undefined}
                          aria-describedby={codeError ? 'promotion-code-error' : undefined}
                        />
                      </div>
                      <button type="submit" className="btn" disabled={working !== null}>
                        {working === 'code' ? <span className="spinner" aria-hidden="true" /> : null} Apply
                      </button>
                    </form>
                    {codeError ? (
                      <p className="field-error" id="promotion-code-error">
                        {codeError}
                      </p>
                    ) : null}
                  </Step>
                  <Step number={needsAddress ? 4 : 2} title="Payment" open>
                    <fieldset className="choice-list">
                      <legend className="visually-hidden">Payment method</legend>
                      {offered.map((method) => (
                        <label key={method.id} className="choice">
                          <input
                            type="radio"
                            name="payment"
                            value={method.id}
                            checked={paymentChoice === method.id}
                            onChange={() => choosePayment(method.id)}
                            disabled={working !== null}
                          />
                          <span className="choice-name">
                            {method.label}
                            <span className="muted small" style={{ display: 'block' }}>
                              {method.id === 'stripe' && settings.status === 'ready' && settings.data.captureOn === 'checkout'
                                ? 'Your card is charged when you place the order.'
                                : method.note}
                            </span>
                          </span>
                        </label>
                      ))}
                    </fieldset>
                    {paymentChoice === 'stripe' && publishableKey ? (
                      <CardField
                        scriptUrl={stripeJsUrl}
                        publishableKey={publishableKey}
                        onReady={(ready) => {
                          card.current = ready;
                        }}
                      />
                    ) : null}
                    <p className="muted small">
                      Order confirmation goes to <strong>{user.email}</strong>.
                    </p>
                  </Step>
                </>
              ) : null}
            </div>
            <aside className="panel" aria-labelledby="summary-heading">
              <h2 id="summary-heading">Order summary</h2>
              <Summary cart={cart.cart} preview={preview} currency={currency} />
              <div aria-live="assertive">
                {error ? (
                  <div className="alert alert-error" role="alert" style={{ marginTop: 12 }}>
                    {error}
                  </div>
                ) : null}
              </div>
              {hasProblems ? (
                <p className="alert alert-warn small">
                  Some items cannot be ordered as they are. <Link href="/cart">Fix them in your cart</Link>.
                </p>
              ) : null}
              {stage === 'review' ? (
                <button
                  type="button"
                  className="btn btn-primary btn-block"
                  style={{ marginTop: 12 }}
                  onClick={place}
                  disabled={working !== null || hasProblems || preview === null}
                >
                  {working === 'order' ? <span className="spinner" aria-hidden="true" /> : null} Place order
                </button>
              ) : null}
              <p className="muted small" style={{ marginTop: 10 }}>
                <Link href="/cart">Back to cart</Link>
              </p>
            </aside>
          </div>
        );
      }}
    </RequireSession>
  );
}

/** One step: open, its content; done, what was chosen and a way back to change it; not reached, its title only. */
function Step({
  number,
  title,
  open,
  summary,
  onChange,
  children,
}: {
  number: number;
  title: string;
  open: boolean;
  summary?: ReactNode;
  onChange?: (() => void) | undefined;
  children: ReactNode;
}) {
  const headingId = `step-${number}-heading`;
  return (
    <section className={open ? 'panel checkout-step open' : 'panel checkout-step'} aria-labelledby={headingId}>
      <div className="panel-title">
        <h2 id={headingId}>
          <span className="step-number" aria-hidden="true">
            {number}
          </span>{' '}
          {title}
        </h2>
        {!open && onChange && summary ? (
          <button type="button" className="btn-link" onClick={onChange}>
            Change<span className="visually-hidden"> {title.toLowerCase()}</span>
          </button>
        ) : null}
      </div>
      {open ? children : summary}
    </section>
  );
}

function AddressSummary({ choices }: { choices: CheckoutChoices }) {
  if (!choices.shippingAddress) return null;
  return (
    <div className="address-pair">
      <div>
        <p className="muted small">Ships to</p>
        <AddressLines address={choices.shippingAddress} />
      </div>
      <div>
        <p className="muted small">Billing</p>
        {choices.billingAddress ? <AddressLines address={choices.billingAddress} /> : <p>Same as shipping</p>}
      </div>
    </div>
  );
}

/** The lines and figures: the API's preview once there is one, the cart's own subtotal until then. */
function Summary({ cart, preview, currency }: { cart: Cart; preview: CheckoutPreview | null; currency: string | undefined }) {
  // The preview's currency is the order's; the store's until there is a preview.
  const money = preview?.currency ?? currency;
  const lines = preview?.items ?? cart.items.map((item) => ({ ...item, discount: 0 }));
  return (
    <>
      <ul className="summary-lines">
        {lines.map((line) => (
          <li key={`${line.productId}:${line.variantId ?? ''}`} data-testid="checkout-line">
            <span>
              {line.name} <span className="muted">× {line.quantity}</span>
            </span>
            <span className="num">
              {formatPrice(line.lineTotal, money)}
              {line.discount > 0 ? <span className="line-discount">−{formatPrice(line.discount, money)}</span> : null}
            </span>
          </li>
        ))}
      </ul>
      {preview ? (
        <OrderBreakdown figures={preview} prefix="checkout" />
      ) : (
        <>
          <div className="summary-row">
            <span>Subtotal</span>
            <span data-testid="checkout-subtotal">{formatPrice(cart.subtotal, money)}</span>
          </div>
          <p className="muted small">Shipping and tax are worked out once you say where the order goes.</p>
        </>
      )}
    </>
  );
}
