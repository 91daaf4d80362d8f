import Type from 'typebox';

/** Units of one line (an order's, a refund's); bounded so a single order cannot overflow an INT stock column. */
export const Quantity = Type.Integer({ minimum: 1, maximum: 1000 });
