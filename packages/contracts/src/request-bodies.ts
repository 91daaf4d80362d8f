import Type from 'typebox';

/**
 * The body of an action that takes nothing (logout, mark paid, redeliver): an empty object, any
 * field refused as on every route (a 400 naming it). A route declares it `Type.Optional(NoFields)`
 * to take no body at all too (the HTTP kit then validates a missing body as `{}`), or `NoFields`
 * when the body must be sent. It is also the querystring of every GET route that reads none: a
 * parameter sent anyway (`?limit=10` on a list that is not paginated, a misspelt filter) is a 400
 * naming it rather than ignored, so a client never takes an answer for one its parameter shaped.
 */
export const NoFields = Type.Object({}, { additionalProperties: false });
