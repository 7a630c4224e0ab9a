import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { CeleriacConfig } from '@celeriac/config';
import { ScheduleBoard } from '@celeriac/schedule';
import { accessPolicyOf, controlsAvailability } from './monitor-access';

/**
 * Bull Board's buttons are controls too: where they cannot work (read-only,
 * or no credentials and no opt-out) the board shows none, as the dashboard.
 */
@Injectable()
export class ScheduleBoardAccess implements OnApplicationBootstrap {
  constructor(
    private readonly config: CeleriacConfig,
    private readonly board: ScheduleBoard,
  ) {}

  onApplicationBootstrap(): void {
    if (!controlsAvailability(accessPolicyOf(this.config.monitor)).controls) {
      this.board.makeReadOnly();
    }
  }
}
