// Stand-in for lightning/actions, which sfdx-lwc-jest does not stub: the event a screen quick action closes with.
export class CloseActionScreenEvent extends CustomEvent {
  constructor() {
    super('close');
  }
}
