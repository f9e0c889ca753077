import { Component, type ErrorInfo, type ReactNode } from 'react';

import { Button } from '../components/button';

/** Props of ScreenFailed. */
export type ScreenFailedProps = { onRetry?: () => void };

/** What the operator sees when a screen crashes: calm, with a way forward. */
export function ScreenFailed({ onRetry }: ScreenFailedProps) {
  return (
    <div className="screen-failed" role="alert">
      <h1>This screen failed</h1>
      <p>
        Something went wrong while showing this screen. Your data is safe: nothing was changed by
        this failure, and other screens still work.
      </p>
      <p className="muted">
        If it happens again, note what you were doing and report it with the PatchDeck log.
      </p>
      <div className="form-row">
        <Button variant="primary" onClick={() => window.location.reload()}>
          Reload window
        </Button>
        {onRetry && <Button onClick={onRetry}>Try this screen again</Button>}
      </div>
    </div>
  );
}

/** Props of ErrorBoundary. */
export type ErrorBoundaryProps = { children: ReactNode };

type ErrorBoundaryState = { failed: boolean };

/** Catches render crashes below it so one broken screen does not blank the whole window. */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { failed: false };

  static getDerivedStateFromError(): ErrorBoundaryState {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('Screen failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.failed) return <ScreenFailed onRetry={() => this.setState({ failed: false })} />;
    return this.props.children;
  }
}
