import { render } from 'solid-js/web';
import { App } from './App.tsx';
import './styles/app.css';

render(() => <App />, document.getElementById('root') as HTMLElement);
