import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { LocalTime } from './shared.js';

/** Dates in lists: in the reader's locale and time zone. */
const LocalDate: React.FC<BasePropertyProps> = ({ property, record }) => <LocalTime value={record?.params?.[property.path]} />;

export default LocalDate;
