import {
  type Address,
  type AddressDraft,
  addressOf,
  blankAddress,
  type CheckoutPreview,
  draftOf,
  type CreateOrder,
  ErrorCode,
  formatPrice,
  type ShippingOption,
} from '@dema/contracts';
import { DemaApiError, describeFailure, newIdempotencyKey } from '@dema/client';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'expo-router';
import { useEffect, useState } from 'react';
import { ScrollView, StyleSheet, Text, View } from 'react-native';
import { ActionButton } from '../../components/action-button.tsx';
import { FormField } from '../../components/form-field.tsx';
import { Failure, ScreenState } from '../../components/screen-state.tsx';
import { styles as ui } from '../../components/ui.tsx';
import { useApi } from '../../lib/api-context.tsx';
import { useCart, usePlaceOrder, useSavedAddresses } from '../../lib/hooks.ts';
import { AddressForm, addressLabels } from './address-form.tsx';

/** What the shopper chose; the preview and the order are placed with the same body. */
type Choices = { shippingAddress: Address | null; shippingMethodId: string | null; promotionCode: string | null };

function bodyOf({ shippingAddress, shippingMethodId, promotionCode }: Choices): CreateOrder {
  return {
    fromCart: true,
    ...(shippingAddress ? { shippingAddress } : {}),
    ...(shippingMethodId ? { shippingMethodId } : {}),
    ...(promotionCode ? { promotionCode } : {}),
  };
}

/** The API's reasons for the fields under `prefix` (`shippingAddress`), as sentences by field name. */
function addressReasons(error: DemaApiError, prefix: string): Partial<Record<keyof Address, string>> {
  const reasons: Partial<Record<keyof Address, string>> = {};
  for (const [name, reason] of Object.entries(error.fieldErrors())) {
    if (!name.startsWith(`${prefix}.`)) continue;
    const field = name.slice(prefix.length + 1) as keyof Address;
    if (field in addressLabels) reasons[field] = `${addressLabels[field].replace(' (optional)', '')} ${reason}`;
  }
  return reasons;
}

const asApiError = (caught: unknown): DemaApiError => (caught instanceof DemaApiError ? caught : DemaApiError.unreachable(caught));
const shippingPrice = (amount: number, currency: string | undefined): string => (amount === 0 ? 'Free' : formatPrice(amount, currency));

/**
 * Checkout on one screen: the shipping address (the customer's default one to start with), the
 * shipping methods the API offers for it, an optional promotion code, then the review — every figure
 * the API's preview of the very body the order is placed with — and "Place order". Whether the store
 * needs an address at all is learnt from a preview of the cart alone: refused naming
 * `body.shippingAddress` once the store has shipping zones. One Idempotency-Key per body: a retry
 * after a lost answer cannot place a second order, changed choices get a new key.
 */
export function CheckoutScreen() {
  const { api, signedIn, restoring } = useApi();
  const router = useRouter();
  const cart = useCart();
  const place = usePlaceOrder();
  const hasItems = (cart.data?.items.length ?? 0) > 0;
  const probe = useQuery({
    queryKey: ['checkout-probe'],
    queryFn: () => api.previewCheckout({ fromCart: true }),
    enabled: signedIn && hasItems,
    retry: false,
    gcTime: 0,
  });
  const probeError = probe.error ? asApiError(probe.error) : null;
  const needsAddress = probeError !== null && probeError.status === 422 && 'shippingAddress' in probeError.fieldErrors();
  const saved = useSavedAddresses(needsAddress);
  // Where the store ships: the country choices; until it is known, every country.
  const settings = useQuery({ queryKey: ['checkout-settings'], queryFn: () => api.checkoutSettings(), enabled: needsAddress });
  const shipsTo = settings.data && settings.data.shipsTo.length > 0 ? settings.data.shipsTo : undefined;

  const [draft, setDraft] = useState<AddressDraft>({ ...blankAddress, country: 'US' });
  const [touched, setTouched] = useState(false);
  const [addressErrors, setAddressErrors] = useState<Partial<Record<keyof Address, string>>>({});
  const [options, setOptions] = useState<ShippingOption[] | null>(null);
  const [choices, setChoices] = useState<Choices>({ shippingAddress: null, shippingMethodId: null, promotionCode: null });
  const [preview, setPreview] = useState<CheckoutPreview | null>(null);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>();
  const [working, setWorking] = useState<'options' | 'preview' | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);

  // The default shipping address fills the form, unless the shopper has started typing.
  const defaultAddress = saved.data?.find((entry) => entry.defaultShipping)?.address;
  useEffect(() => {
    if (defaultAddress && !touched) setDraft(draftOf(defaultAddress));
  }, [defaultAddress, touched]);

  if (restoring) return <ScreenState kind="loading" title="Loading your cart" />;
  if (!signedIn) {
    return <ScreenState kind="empty" title="Sign in to check out" action={{ label: 'Sign in', onPress: () => router.push('/login') }} />;
  }
  // Placed: on the way to the order's screen, past the now empty cart.
  if (place.isSuccess) return <ScreenState kind="loading" title="Opening your order" />;
  if (cart.isPending) return <ScreenState kind="loading" title="Loading your cart" />;
  if (!cart.data) return <Failure error={cart.error} onRetry={() => void cart.refetch()} />;
  if (cart.data.items.length === 0) return <ScreenState kind="empty" title="Your cart is empty" />;
  if (probe.isPending) return <ScreenState kind="loading" title="Preparing checkout" />;
  if (probeError && !needsAddress) return <Failure error={probeError} onRetry={() => void probe.refetch()} />;
  const figures = preview ?? (needsAddress ? null : (probe.data ?? null));
  // Before a preview says it, the store's currency (a stubbed or older answer may lack it: USD).
  const money = figures?.currency ?? settings.data?.currency;
  const blocked = cart.data.problems.length > 0;

  /** Shows a refusal where it belongs: at an address field, at the code, or as the screen's message. */
  function showRefusal(failure: DemaApiError): void {
    const reasons = addressReasons(failure, 'shippingAddress');
    const fields = failure.fieldErrors();
    if (Object.keys(reasons).length > 0) setAddressErrors(reasons);
    else if (fields.promotionCode) setCodeError(failure.detail ?? `The code ${fields.promotionCode}`);
    else setMessage(describeFailure(failure));
  }

  /** Prices `next`; on success it becomes the checkout's choices (and a new body, a new key). */
  async function review(next: Choices): Promise<void> {
    setWorking('preview');
    setMessage(null);
    setCodeError(undefined);
    try {
      setPreview(await api.previewCheckout(bodyOf(next)));
      setChoices(next);
      setIdempotencyKey(newIdempotencyKey());
    } catch (caught) {
      showRefusal(asApiError(caught));
    } finally {
      setWorking(null);
    }
  }

  async function findOptions(): Promise<void> {
    const shippingAddress = addressOf(draft);
    setWorking('options');
    setMessage(null);
    setAddressErrors({});
    try {
      const items = await api.shippingOptions(shippingAddress);
      setOptions(items);
      if (items[0]) await review({ ...choices, shippingAddress, shippingMethodId: items[0].id });
      else setMessage('No shipping method takes this order to this address.');
    } catch (caught) {
      const failure = asApiError(caught);
      const reasons = addressReasons(failure, 'address');
      // "The store does not ship to JP" says it better than the field's reason.
      if (failure.code === ErrorCode.SHIPPING_UNAVAILABLE && failure.detail) reasons.country = failure.detail;
      if (Object.keys(reasons).length > 0) setAddressErrors(reasons);
      else setMessage(describeFailure(failure));
    } finally {
      setWorking(null);
    }
  }

  function editAddress(next: AddressDraft): void {
    setDraft(next);
    setTouched(true);
    // Another address: its options and figures are asked for again.
    setOptions(null);
    setPreview(null);
  }

  return (
    <ScrollView style={ui.screen} contentContainerStyle={styles.content} keyboardShouldPersistTaps="handled">
      <Text style={styles.heading} accessibilityRole="header">
        Your cart
      </Text>
      {cart.data.items.map((item) => (
        <Text key={`${item.productId}:${item.variantId ?? ''}`} style={styles.line}>
          {item.quantity} × {item.name} · {formatPrice(item.lineTotal, money)}
        </Text>
      ))}
      {blocked ? <Text style={ui.problem}>Some lines cannot be ordered as they are: fix them in the cart.</Text> : null}
      {needsAddress ? (
        <View style={styles.section}>
          <Text style={styles.heading} accessibilityRole="header">
            Shipping address
          </Text>
          <AddressForm draft={draft} errors={addressErrors} onChange={editAddress} shipsTo={shipsTo} />
          <ActionButton
            label="Show shipping options"
            busy={working === 'options'}
            onPress={() => void findOptions()}
            tone={options ? 'secondary' : 'primary'}
          />
        </View>
      ) : null}
      {options && options.length > 0 ? (
        <View style={styles.section} accessibilityRole="radiogroup" accessibilityLabel="Shipping method">
          <Text style={styles.heading} accessibilityRole="header">
            Shipping method
          </Text>
          {options.map((option) => (
            <ActionButton
              key={option.id}
              label={`${option.name} · ${shippingPrice(option.amount, money)}`}
              accessibilityLabel={`${option.name}, ${shippingPrice(option.amount, money)}`}
              tone="outline"
              selected={choices.shippingMethodId === option.id}
              disabled={working !== null}
              onPress={() => void review({ ...choices, shippingMethodId: option.id })}
            />
          ))}
        </View>
      ) : null}
      {figures ? (
        <View style={styles.section}>
          <FormField
            label="Promotion code"
            value={code}
            onChangeText={(value) => {
              setCode(value);
              setCodeError(undefined);
            }}
            autoCapitalize="characters"
            error={codeError}
          />
          <ActionButton
            label="Apply"
            accessibilityLabel="Apply promotion code"
            tone="secondary"
            busy={working === 'preview'}
            disabled={code.trim() === '' && !choices.promotionCode}
            onPress={() => void review({ ...choices, promotionCode: code.trim() || null })}
          />
          <Text style={styles.heading} accessibilityRole="header">
            Review
          </Text>
          <Figure label="Subtotal" value={formatPrice(figures.subtotal, money)} testID="checkout-subtotal" />
          {figures.discountTotal > 0 ? (
            <Figure
              label={figures.promotionCode ? `Discount (${figures.promotionCode})` : 'Discount'}
              value={`−${formatPrice(figures.discountTotal, money)}`}
              testID="checkout-discount"
            />
          ) : null}
          {figures.shippingMethod || needsAddress ? (
            <Figure
              label={figures.shippingMethod ? `Shipping (${figures.shippingMethod.name})` : 'Shipping'}
              value={shippingPrice(figures.shippingTotal, money)}
              testID="checkout-shipping"
            />
          ) : null}
          <Figure label={figures.pricesIncludeTax ? 'Tax included' : 'Tax'} value={formatPrice(figures.taxTotal, money)} testID="checkout-tax" />
          <Figure label="Total" value={formatPrice(figures.total, money)} testID="checkout-total" strong />
        </View>
      ) : null}
      {message ? (
        <Text style={ui.problem} accessibilityRole="alert">
          {message}
        </Text>
      ) : null}
      <ActionButton
        label={place.isPending ? 'Placing order…' : 'Place order'}
        accessibilityLabel="Place order"
        disabled={blocked || place.isPending || figures === null || working !== null}
        // The placed order's own screen: its status, kept current while it is open.
        onPress={() => {
          setMessage(null);
          place.mutate(
            { body: bodyOf(choices), idempotencyKey },
            { onSuccess: (order) => router.replace(`/orders/${order.id}`), onError: (failure) => showRefusal(asApiError(failure)) },
          );
        }}
      />
    </ScrollView>
  );
}

function Figure({ label, value, testID, strong = false }: { label: string; value: string; testID: string; strong?: boolean }) {
  return (
    <View style={styles.figure} accessible accessibilityLabel={`${label} ${value}`} testID={testID}>
      <Text style={[styles.figureText, strong ? styles.strong : null]}>{label}</Text>
      <Text style={[styles.figureText, strong ? styles.strong : null]}>{value}</Text>
    </View>
  );
}

const styles = StyleSheet.create({
  content: { padding: 16, gap: 12 },
  section: { gap: 8, paddingTop: 12, borderTopWidth: StyleSheet.hairlineWidth, borderTopColor: '#e5e7eb' },
  heading: { fontSize: 18, fontWeight: '600', color: '#111827' },
  line: { fontSize: 16, color: '#111827' },
  figure: { flexDirection: 'row', flexWrap: 'wrap', justifyContent: 'space-between', gap: 8 },
  figureText: { fontSize: 16, color: '#111827' },
  strong: { fontWeight: '700' },
});
