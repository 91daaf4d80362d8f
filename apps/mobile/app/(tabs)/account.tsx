import { AccountScreen } from '../../features/account/account-screen.tsx';
import { demaClient } from '../../lib/auth/dema-client.ts';

export default function AccountRoute() {
  return <AccountScreen client={demaClient} />;
}
