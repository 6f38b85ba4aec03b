import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter replaces unknown errors with "Internal server error", losing the error kind.
 * This filter hands the original error back to the transport, whose settlement module needs its kind and code.
 */
@Catch()
export class PassErrorsToSettlementFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
