/** cdk-nag findings we accept: each one recorded on its construct with the reason. */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Record a cdk-nag finding as accepted, with its reason, on a construct (and everything under it). */
export const acknowledge = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
