import Type from 'typebox';
import { NoFields, PasswordResetConfirm, PasswordResetRequest, VerifyEmailBody } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { AccountRecovery } from '../account-recovery.ts';
import { trimEmail } from './auth.routes.ts';

/** The same words whether or not an account has the address: they must not tell a stranger which. */
const resetAccepted = { message: 'If an account has this email, a link to choose a new password is on its way.' };

/** Password reset and email verification by emailed links. */
export async function accountRecoveryRoutes(app: DemaApp, recovery: AccountRecovery): Promise<void> {
  app.post(
    '/api/auth/password-reset',
    {
      bodyLimit: bodyLimits.small,
      preValidation: trimEmail,
      schema: {
        tags: ['auth'],
        operationId: 'requestPasswordReset',
        summary: 'Email a password reset link (valid one hour, once); the same answer whether or not the email has an account',
        security: [],
        body: PasswordResetRequest,
        response: { 202: Type.Ref('Accepted'), ...problemResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await recovery.requestPasswordReset(request.body.email, request.ip);
      return reply.status(202).send(resetAccepted);
    },
  );

  app.post(
    '/api/auth/password-reset/confirm',
    {
      bodyLimit: bodyLimits.small,
      schema: {
        tags: ['auth'],
        operationId: 'confirmPasswordReset',
        summary: "Set a new password with the emailed link's token; every session of the account ends",
        security: [],
        body: PasswordResetConfirm,
        response: { 204: Type.Null(), ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      await recovery.confirmPasswordReset(request.body.token, request.body.newPassword);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/verify-email',
    {
      bodyLimit: bodyLimits.small,
      schema: {
        tags: ['auth'],
        operationId: 'verifyEmail',
        summary: "Mark the account's email verified with the token of the link emailed at signup (valid a day, once)",
        security: [],
        body: VerifyEmailBody,
        response: { 200: Type.Ref('User'), ...problemResponses(400) },
      },
    },
    async (request) => recovery.verifyEmail(request.body.token),
  );

  app.post(
    '/api/users/me/verification-email',
    {
      bodyLimit: bodyLimits.small,
      config: { authenticated: true },
      schema: {
        tags: ['users'],
        operationId: 'resendVerificationEmail',
        summary: 'Email yourself a new verification link (409 when your email is verified already; a few an hour)',
        description: 'Takes no body, or an empty object: any field is a 400 naming it.',
        security: requiresToken,
        body: Type.Optional(NoFields),
        response: { 202: Type.Null(), ...problemResponses(400, 401, 409, 429) },
      },
    },
    async (request, reply) => {
      await recovery.resendVerification(request.principal);
      return reply.status(202).send(null);
    },
  );
}
