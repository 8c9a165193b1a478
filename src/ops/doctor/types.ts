/** One line of the `loom doctor` checklist. */
export interface DoctorCheck {
  name: string;
  status: 'pass' | 'fail' | 'warn' | 'skip';
  detail: string;
  /** What to change when the check failed or warned. */
  fix?: string;
}

export const pass = (name: string, detail: string): DoctorCheck => ({ name, status: 'pass', detail });
export const fail = (name: string, detail: string, fix: string): DoctorCheck => ({ name, status: 'fail', detail, fix });
export const warn = (name: string, detail: string, fix: string): DoctorCheck => ({ name, status: 'warn', detail, fix });
export const skip = (name: string, detail: string): DoctorCheck => ({ name, status: 'skip', detail });
