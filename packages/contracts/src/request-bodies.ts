import Type from 'typebox';

/**
 * The body of an action that takes nothing (logout, mark paid, redeliver): an empty object, any
 * field refused as on every route (a 400 naming it). A route declares it `Type.Optional(NoFields)`
 * to take no body at all too (the HTTP kit then validates a missing body as `{}`), or `NoFields`
 * when the body must be sent.
 */
export const NoFields = Type.Object({}, { additionalProperties: false });
